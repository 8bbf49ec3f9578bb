import { Migration } from '@mikro-orm/migrations';

/**
 * Invoices a seller can legally issue (issue 17): the seller's identity on the company, frozen
 * documents, series per document type with yearly or monthly reset, orders held until they can
 * be invoiced, and the central banks' exchange rates.
 */
export class Migration20261203150000InvoicesLegal extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "companies" add column "legal_name" varchar(300) null, add column "vat_status" varchar(16) not null default 'registered', add column "bank_account" varchar(64) null, add column "uses_oss" boolean not null default false;`,
    );
    this.addSql(
      `alter table "invoice_series" add column "document_type" varchar(16) not null default 'invoice', add column "reset" varchar(16) not null default 'never', add column "currency" varchar(3) null;`,
    );
    this.addSql(
      `create table "invoice_series_counters" ("series_id" uuid not null, "period" varchar(7) not null, "next_number" int not null, primary key ("series_id", "period"));`,
    );
    this.addSql(
      `alter table "invoice_series_counters" add constraint "invoice_series_counters_series_id_foreign" foreign key ("series_id") references "invoice_series" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "invoices" add column "type" varchar(16) not null default 'invoice', add column "series_code" varchar(32) null, add column "period" varchar(7) not null default '', add column "document" jsonb null, add column "corrects" uuid null;`,
    );
    this.addSql(`alter table "invoices" drop constraint "invoices_series_id_sequence_unique";`);
    this.addSql(
      `alter table "invoices" add constraint "invoices_series_id_period_sequence_unique" unique ("series_id", "period", "sequence");`,
    );
    this.addSql(`alter table "integrations" add column "series_id" uuid null;`);
    this.addSql(
      `alter table "integrations" add constraint "integrations_series_id_foreign" foreign key ("series_id") references "invoice_series" ("id") on delete set null;`,
    );
    this.addSql(
      `create table "held_invoices" ("id" uuid not null, "tenant_id" uuid not null, "integration_id" uuid not null, "plugin_id" varchar(64) not null, "kind" varchar(32) not null, "external_id" varchar(200) not null, "revision" varchar(200) not null, "draft" jsonb not null, "reason" varchar(32) not null, "message" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "held_invoices" add constraint "held_invoices_integration_id_kind_external_id_unique" unique ("integration_id", "kind", "external_id");`,
    );
    this.addSql(
      `create index "held_invoices_tenant_id_reason_index" on "held_invoices" ("tenant_id", "reason");`,
    );
    this.addSql(
      `alter table "held_invoices" add constraint "held_invoices_integration_id_foreign" foreign key ("integration_id") references "integrations" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "held_invoices" add constraint "held_invoices_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `create table "exchange_rates" ("source" varchar(8) not null, "currency" varchar(3) not null, "date" varchar(10) not null, "rate" numeric(18,8) not null, "table_no" varchar(40) not null, "covers_until" varchar(10) not null, "fetched_at" timestamptz not null, primary key ("source", "currency", "date"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "exchange_rates";`);
    this.addSql(`drop table if exists "held_invoices";`);
    this.addSql(`alter table "integrations" drop column "series_id";`);
    this.addSql(`alter table "invoices" drop constraint "invoices_series_id_period_sequence_unique";`);
    this.addSql(
      `alter table "invoices" drop column "type", drop column "series_code", drop column "period", drop column "document", drop column "corrects";`,
    );
    this.addSql(
      `alter table "invoices" add constraint "invoices_series_id_sequence_unique" unique ("series_id", "sequence");`,
    );
    this.addSql(`drop table if exists "invoice_series_counters";`);
    this.addSql(
      `alter table "invoice_series" drop column "document_type", drop column "reset", drop column "currency";`,
    );
    this.addSql(
      `alter table "companies" drop column "legal_name", drop column "vat_status", drop column "bank_account", drop column "uses_oss";`,
    );
  }
}
