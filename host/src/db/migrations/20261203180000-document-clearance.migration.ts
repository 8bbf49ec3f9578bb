import { Migration } from '@mikro-orm/migrations';

/**
 * Clearance of issued documents by a tax authority's system (plugins with a manifest `documents`
 * section, issue 18): the state on the invoice (`clearance`, null until a clearance plugin takes
 * the document) and the files it produced (the clearance XML, the authority's receipt) beside it.
 */
export class Migration20261203180000DocumentClearance extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "invoices" add column "clearance" jsonb null;`);
    this.addSql(
      `create table "invoice_clearance_files" ("invoice_id" uuid not null, "kind" varchar(16) not null, "tenant_id" uuid not null, "file_name" varchar(200) not null, "media_type" varchar(100) not null, "content" text not null, "created_at" timestamptz not null default now(), primary key ("invoice_id", "kind"), constraint "invoice_clearance_files_invoice_id_foreign" foreign key ("invoice_id") references "invoices" ("id") on delete cascade);`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "invoice_clearance_files";`);
    this.addSql(`alter table "invoices" drop column if exists "clearance";`);
  }
}
