import { Migration } from '@mikro-orm/migrations';

/**
 * Invoice templates: a company's layouts for its documents, each with an optional logo (PNG or
 * JPEG, checked and size-limited on upload) and footer note. Integrations pick one by id through
 * a host-choice setting (`x-host-choices: "invoiceTemplates"`).
 */
export class Migration20261203151000InvoiceTemplates extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "invoice_templates" ("id" uuid not null, "tenant_id" uuid not null, "company_id" uuid not null, "name" varchar(100) not null, "layout" varchar(20) not null, "footer_note" text null, "second_language" varchar(2) null, "logo" bytea null, "logo_type" varchar(20) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"), constraint "invoice_templates_company_id_foreign" foreign key ("company_id") references "companies" ("id") on delete cascade);`,
    );
    this.addSql(
      `create unique index "invoice_templates_company_id_name_unique" on "invoice_templates" ("company_id", "name");`,
    );
    this.addSql(`create index "invoice_templates_tenant_id_index" on "invoice_templates" ("tenant_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "invoice_templates";`);
  }
}
