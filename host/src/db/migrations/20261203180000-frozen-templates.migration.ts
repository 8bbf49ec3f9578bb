import { Migration } from '@mikro-orm/migrations';

/**
 * Logos as issued documents printed them: content-addressed (SHA-256 of the bytes) per tenant and
 * never updated, so an issued document's frozen template (`FrozenDocument.template.logoSha256`)
 * keeps printing the logo it was issued with after the template's logo is replaced or removed.
 */
export class Migration20261203180000FrozenTemplates extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "invoice_logos" ("tenant_id" uuid not null, "sha256" varchar(64) not null, "logo_type" varchar(20) not null, "logo" bytea not null, "created_at" timestamptz not null, primary key ("tenant_id", "sha256"), constraint "invoice_logos_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade);`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "invoice_logos";`);
  }
}
