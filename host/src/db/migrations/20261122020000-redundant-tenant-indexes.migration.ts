import { Migration } from '@mikro-orm/migrations';

/**
 * Customers and products lose their single-column `tenant_id` index: the unique
 * (tenant_id, source, external_id) index starts with the same column and serves every query by
 * tenant. The duplicate cost a write per row and, worse, looked as cheap to the planner as the
 * unique index for the import's per-key lookups while statistics were missing: it then probed by
 * tenant and filtered every product of the tenant for each key (records/sql.ts).
 */
export class Migration20261122020000RedundantTenantIndexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop index if exists "customers_tenant_id_index";`);
    this.addSql(`drop index if exists "products_tenant_id_index";`);
  }

  override async down(): Promise<void> {
    this.addSql(`create index "customers_tenant_id_index" on "customers" ("tenant_id");`);
    this.addSql(`create index "products_tenant_id_index" on "products" ("tenant_id");`);
  }
}
