import { Migration } from '@mikro-orm/migrations';

/**
 * Shared state of the plugin runtime across host processes: rate-limit buckets (GCRA theoretical
 * arrival times) and the token-refresh lease on OAuth credentials.
 */
export class Migration20261122010000SyncRuntime extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "rate_limit_buckets" ("key" varchar(300) not null, "tat" timestamptz not null, primary key ("key"));`,
    );
    this.addSql(
      `alter table "credentials" add column "lease_until" timestamptz null, add column "lease_owner" varchar(100) null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "rate_limit_buckets";`);
    this.addSql(`alter table "credentials" drop column "lease_until", drop column "lease_owner";`);
  }
}
