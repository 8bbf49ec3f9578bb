import { Migration } from '@mikro-orm/migrations';

/**
 * Corrections read as records of their own (manifest mappings with `target: "correction"`, issue
 * 14: WooCommerce's refunds list) can arrive before their order's invoice exists — the refunds
 * job ran before the orders job, or the invoice is held. They wait here, one row per (integration,
 * order, key), and are issued by the import that issues the invoice or by the next corrections
 * import; the row goes in the transaction that issues the correction.
 */
export class Migration20261206060000WaitingCorrections extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table if not exists "waiting_corrections" ("tenant_id" uuid not null, "integration_id" uuid not null, "external_order_id" varchar(200) not null, "key" varchar(200) not null, "request" jsonb not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), primary key ("integration_id", "external_order_id", "key"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "waiting_corrections";`);
  }
}
