import { Migration } from '@mikro-orm/migrations';

/**
 * Health per job (issue 13): each job of an integration keeps its own consecutive-failure count,
 * last error and last success, so one job's success never clears another's failure; the
 * integration's columns are derived from these rows (sync/integration-health.ts).
 * A run and its retries are one `sync_runs` row: `retrying` between attempts, with each failed
 * attempt's error in `attempt_errors` and the next try in `next_attempt_at`.
 */
export class Migration20261205070000JobHealth extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "integration_jobs" ("integration_id" uuid not null, "job_id" varchar(64) not null,
        "tenant_id" uuid not null, "title" varchar(200) not null,
        "consecutive_failures" int not null default 0, "failed_runs" int not null default 0,
        "retry_pending" boolean not null default false, "last_run_at" timestamptz null,
        "last_success_at" timestamptz null, "last_failure_at" timestamptz null, "last_error" text null,
        primary key ("integration_id", "job_id"));`,
    );
    this.addSql(
      `alter table "integration_jobs" add constraint "integration_jobs_integration_id_foreign" foreign key ("integration_id") references "integrations" ("id") on delete cascade;`,
    );
    this.addSql(`create index "integration_jobs_tenant_id_index" on "integration_jobs" ("tenant_id");`);
    this.addSql(`alter table "sync_runs" drop constraint if exists "sync_runs_status_check";`);
    this.addSql(
      `alter table "sync_runs" add constraint "sync_runs_status_check" check ("status" in ('queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled'));`,
    );
    this.addSql(
      `alter table "sync_runs" add column "attempt_errors" jsonb null, add column "next_attempt_at" timestamptz null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `update "sync_runs" set "status" = 'failed', "finished_at" = now() where "status" = 'retrying';`,
    );
    this.addSql(`alter table "sync_runs" drop column "attempt_errors", drop column "next_attempt_at";`);
    this.addSql(`alter table "sync_runs" drop constraint if exists "sync_runs_status_check";`);
    this.addSql(
      `alter table "sync_runs" add constraint "sync_runs_status_check" check ("status" in ('queued', 'running', 'succeeded', 'failed', 'cancelled'));`,
    );
    this.addSql(`drop table if exists "integration_jobs";`);
  }
}
