import { Migration } from '@mikro-orm/migrations';

/**
 * Cheaper product writes for the import (issue 17: `bench/import.bench.ts` lost a third of its
 * ratio, and the products upsert had more than doubled, after products gained offers):
 * - a new product takes its version from the column default (`nextval`), not from a PL/pgSQL
 *   trigger run for every inserted row; the trigger now fires only on updates that change what
 *   an offer push sends (its WHEN clause), so an upsert that changes nothing calls nothing;
 * - the lookup indexes by EAN, part number and SKU skip products without one (most products made
 *   from orders have no EAN or part number): an equality lookup never matches a null anyway.
 */
export class Migration20261204110000ProductWriteCost extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "products" alter column "version" set default nextval('product_versions');`);
    this.addSql(`drop trigger if exists "products_version" on "products";`);
    this.addSql(
      `create or replace function "products_bump_version"() returns trigger language plpgsql as $$
begin
  new.version := nextval('product_versions');
  return new;
end $$;`,
    );
    this.addSql(
      `create trigger "products_version" before update on "products" for each row
       when (new.stock is distinct from old.stock or new.price is distinct from old.price
             or new.active is distinct from old.active or new.vat_rate is distinct from old.vat_rate)
       execute function "products_bump_version"();`,
    );
    for (const column of ['ean', 'part_number', 'sku']) {
      this.addSql(`drop index if exists "products_tenant_id_${column}_index";`);
      this.addSql(
        `create index "products_tenant_id_${column}_index" on "products" ("tenant_id", "${column}") where "${column}" is not null;`,
      );
    }
  }

  override async down(): Promise<void> {
    for (const column of ['ean', 'part_number', 'sku']) {
      this.addSql(`drop index if exists "products_tenant_id_${column}_index";`);
      this.addSql(
        `create index "products_tenant_id_${column}_index" on "products" ("tenant_id", "${column}");`,
      );
    }
    this.addSql(`drop trigger if exists "products_version" on "products";`);
    this.addSql(
      `create or replace function "products_bump_version"() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' or new.stock is distinct from old.stock or new.price is distinct from old.price
     or new.active is distinct from old.active or new.vat_rate is distinct from old.vat_rate then
    new.version := nextval('product_versions');
  end if;
  return new;
end $$;`,
    );
    this.addSql(
      `create trigger "products_version" before insert or update on "products" for each row execute function "products_bump_version"();`,
    );
    this.addSql(`alter table "products" alter column "version" set default 0;`);
  }
}
