import { Migration } from '@mikro-orm/migrations';

/**
 * Correction documents (issue 21): a marketplace order keeps one invoice but may gain corrections,
 * so (integration, order) is unique among invoices only; each correction carries the key it was
 * requested with, unique per corrected document, so a retried or crashed request issues it once.
 */
export class Migration20261203190000Corrections extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "invoices" drop constraint "invoices_integration_id_external_order_id_unique";`);
    this.addSql(
      `create unique index "invoices_integration_id_external_order_id_unique" on "invoices" ("integration_id", "external_order_id") where "type" = 'invoice';`,
    );
    this.addSql(`alter table "invoices" add column "correction_key" varchar(200) null;`);
    this.addSql(
      `create unique index "invoices_corrects_correction_key_unique" on "invoices" ("corrects", "correction_key") where "corrects" is not null;`,
    );
    this.addSql(
      `alter table "invoices" add constraint "invoices_corrects_foreign" foreign key ("corrects") references "invoices" ("id") on delete restrict;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "invoices" drop constraint "invoices_corrects_foreign";`);
    this.addSql(`drop index "invoices_corrects_correction_key_unique";`);
    this.addSql(`alter table "invoices" drop column "correction_key";`);
    this.addSql(`drop index "invoices_integration_id_external_order_id_unique";`);
    this.addSql(
      `alter table "invoices" add constraint "invoices_integration_id_external_order_id_unique" unique ("integration_id", "external_order_id");`,
    );
  }
}
