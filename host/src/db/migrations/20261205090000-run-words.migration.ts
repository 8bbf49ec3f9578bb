import { Migration } from '@mikro-orm/migrations';

/**
 * Runs that say what happened (issue 13): a run the host starts itself after another one (the
 * upload after an orders sync issued invoices) is a `follow_up`, with `follows` saying after what
 * in words, instead of passing for one started by hand; `skipped` counts a run's skipped records
 * by why ({"not paid yet": 40}). Existing rows keep their values: old runs read as before.
 */
export class Migration20261205090000RunWords extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "sync_runs" drop constraint if exists "sync_runs_trigger_check";`);
    this.addSql(
      `alter table "sync_runs" add constraint "sync_runs_trigger_check" check ("trigger" in ('schedule', 'manual', 'webhook', 'retry', 'follow_up'));`,
    );
    this.addSql(`alter table "sync_runs" add column if not exists "follows" text null;`);
    this.addSql(
      `alter table "sync_runs" add column if not exists "skipped" jsonb not null default '{}'::jsonb;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`update "sync_runs" set "trigger" = 'manual' where "trigger" = 'follow_up';`);
    this.addSql(`alter table "sync_runs" drop constraint if exists "sync_runs_trigger_check";`);
    this.addSql(
      `alter table "sync_runs" add constraint "sync_runs_trigger_check" check ("trigger" in ('schedule', 'manual', 'webhook', 'retry'));`,
    );
    this.addSql(`alter table "sync_runs" drop column if exists "follows";`);
    this.addSql(`alter table "sync_runs" drop column if exists "skipped";`);
  }
}
