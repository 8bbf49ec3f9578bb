import { Migration } from '@mikro-orm/migrations';

/**
 * Products as the seller manages them (issue 15): EAN, part number, sale price, stock and an
 * active flag, with a version taken from one sequence whenever a value marketplaces are told about
 * changes (a trigger, so every writer bumps it); and each marketplace offer, linked to a product,
 * with what was last pushed to it (the product version, the values, the marketplace's answer and
 * the last error). A push records `pushed_version` only upwards, so values read before a change
 * never count as that change's push.
 */
export class Migration20261203180000ProductOffers extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create sequence if not exists "product_versions";`);
    this.addSql(
      `alter table "products" add column "ean" varchar(64) null, add column "part_number" varchar(200) null, add column "price" numeric(18,4) null, add column "stock" int not null default 0, add column "active" boolean not null default true, add column "version" bigint not null default 0;`,
    );
    this.addSql(`create index "products_tenant_id_ean_index" on "products" ("tenant_id", "ean");`);
    this.addSql(
      `create index "products_tenant_id_part_number_index" on "products" ("tenant_id", "part_number");`,
    );
    this.addSql(`create index "products_tenant_id_sku_index" on "products" ("tenant_id", "sku");`);
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
    this.addSql(
      `create table "product_offers" ("id" uuid not null default gen_random_uuid(), "tenant_id" uuid not null, "integration_id" uuid not null, "external_id" varchar(200) not null, "product_id" uuid null, "name" varchar(500) not null default '', "sku" varchar(200) null, "part_number" varchar(200) null, "ean" varchar(64) null, "price" numeric(18,4) null, "min_price" numeric(18,4) null, "max_price" numeric(18,4) null, "currency" varchar(3) null, "stock" int null, "active" boolean null, "data" jsonb not null default '{}', "link_state" varchar(16) not null default 'unlinked', "link_note" text null, "pushed_version" bigint not null default 0, "pushed" jsonb null, "pushed_at" timestamptz null, "answer" jsonb null, "last_error" text null, "error_at" timestamptz null, "read_at" timestamptz not null default now(), primary key ("id"), constraint "product_offers_integration_id_foreign" foreign key ("integration_id") references "integrations" ("id") on delete cascade, constraint "product_offers_product_id_foreign" foreign key ("product_id") references "products" ("id") on delete set null);`,
    );
    this.addSql(
      `create unique index "product_offers_integration_id_external_id_unique" on "product_offers" ("integration_id", "external_id");`,
    );
    this.addSql(`create index "product_offers_product_id_index" on "product_offers" ("product_id");`);
    this.addSql(`create index "product_offers_tenant_id_index" on "product_offers" ("tenant_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "product_offers";`);
    this.addSql(`drop trigger if exists "products_version" on "products";`);
    this.addSql(`drop function if exists "products_bump_version"();`);
    this.addSql(
      `alter table "products" drop column "ean", drop column "part_number", drop column "price", drop column "stock", drop column "active", drop column "version";`,
    );
    this.addSql(`drop sequence if exists "product_versions";`);
  }
}
