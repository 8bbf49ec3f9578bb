import { randomUUID } from 'node:crypto';
import type { SqlPool } from '../db/orm.ts';

export type RunStatus = 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'cancelled';

/**
 * Sync-run rows: what the console shows as "recent runs" and polls for live progress. A manual
 * trigger queues a row; the run that starts next for the same job claims it.
 */
export class RunRecords {
  readonly #pool: SqlPool;
  constructor(pool: SqlPool) {
    this.#pool = pool;
  }

  /** Queues a run, or returns the one already queued for this job (a second click joins it). */
  async queue(input: {
    tenantId: string;
    integrationId: string;
    jobId: string;
    trigger: string;
    /** A follow-up run: after what, in words ("invoices were issued"). */
    follows?: string | undefined;
  }): Promise<string> {
    const existing = await this.#pool.query<{ id: string }>(
      `select id from sync_runs where integration_id = $1 and job_id = $2 and status = 'queued' order by started_at limit 1`,
      [input.integrationId, input.jobId],
    );
    if (existing.rows[0]) return existing.rows[0].id;
    const id = randomUUID();
    await this.#pool.query(
      `insert into sync_runs (id, tenant_id, integration_id, job_id, trigger, follows, status, attempt, counts, progress_done, started_at)
       values ($1, $2, $3, $4, $5, $6, 'queued', 1, '{}'::jsonb, 0, clock_timestamp())`,
      [id, input.tenantId, input.integrationId, input.jobId, input.trigger, input.follows ?? null],
    );
    return id;
  }

  /**
   * Marks this job's run row as running: a retry takes up the row of the run it retries (one run
   * with its retries is one row, issue 13); a manual or webhook run the row queued for it; a
   * scheduled tick between retries joins the run being retried (its success ends that run). Else
   * a new row.
   */
  async start(input: {
    tenantId: string;
    integrationId: string;
    jobId: string;
    trigger: string;
    attempt: number;
  }): Promise<string> {
    // The scheduler's run lock makes this the only live run of the job: a row still 'running'
    // belongs to a host that stopped mid-run (crash, kill), so it is closed as interrupted.
    await this.#pool.query(
      `update sync_runs set status = 'failed', finished_at = clock_timestamp(),
              error = 'Interrupted: the host running it stopped before it finished; a later run took over.'
        where integration_id = $1 and job_id = $2 and status = 'running'`,
      [input.integrationId, input.jobId],
    );
    const order =
      input.trigger === 'manual' || input.trigger === 'webhook' || input.trigger === 'follow_up'
        ? `case status when 'queued' then 0 else 1 end, started_at`
        : `case status when 'retrying' then 0 else 1 end, started_at desc`;
    const claimed = await this.#pool.query<{ id: string }>(
      `update sync_runs set status = 'running', next_attempt_at = null,
              attempt = case when status = 'retrying' then attempt + 1 else $3 end,
              started_at = case when status = 'queued' then clock_timestamp() else started_at end
        where id = (select id from sync_runs where integration_id = $1 and job_id = $2
                       and status in ('queued', 'retrying')
                     order by ${order} limit 1)
        returning id`,
      [input.integrationId, input.jobId, input.attempt],
    );
    if (claimed.rows[0]) return claimed.rows[0].id;
    const id = randomUUID();
    await this.#pool.query(
      `insert into sync_runs (id, tenant_id, integration_id, job_id, trigger, status, attempt, counts, progress_done, started_at)
       values ($1, $2, $3, $4, $5, 'running', $6, '{}'::jsonb, 0, clock_timestamp())`,
      [id, input.tenantId, input.integrationId, input.jobId, input.trigger, input.attempt],
    );
    return id;
  }

  /**
   * Live progress. Done never exceeds the total: a plugin whose total was an estimate (a sweep's
   * count, while events brought more) shows "300 of 300", never "400 of 300" (issue 13).
   */
  async progress(runId: string, done: number, total: number | undefined): Promise<void> {
    const shown = total === undefined ? done : Math.min(done, total);
    await this.#pool.query('update sync_runs set progress_done = $2, progress_total = $3 where id = $1', [
      runId,
      shown,
      total ?? null,
    ]);
  }

  /**
   * Ends an attempt. A failed attempt with a retry queued leaves the row `retrying` with its error
   * kept in `attempt_errors`; otherwise the run ends. Another row of the job still waiting for a
   * retry is closed then: this run carried its work on (a success) or the chain is over.
   */
  async finish(input: {
    runId: string;
    status: Exclude<RunStatus, 'queued' | 'running'>;
    counts: Record<string, number>;
    /** Skipped records by why, in words (run-tally.ts). */
    skipped?: Record<string, number> | undefined;
    error?: string | undefined;
    nextAttemptAt?: Date | undefined;
  }): Promise<void> {
    const failedAttempt = input.error !== undefined && input.status !== 'cancelled';
    const { rows } = await this.#pool.query<{ integration_id: string; job_id: string }>(
      `update sync_runs set status = $2, counts = $3::jsonb, error = $4, next_attempt_at = $5, skipped = $7::jsonb,
              attempt_errors = case when $6::boolean
                then coalesce(attempt_errors, '[]'::jsonb)
                     || jsonb_build_array(jsonb_build_object('attempt', attempt, 'at', clock_timestamp(), 'error', $4::text))
                else attempt_errors end,
              finished_at = case when $2 = 'retrying' then null else clock_timestamp() end
        where id = $1
        returning integration_id, job_id`,
      [
        input.runId,
        input.status,
        JSON.stringify(input.counts),
        input.error ?? null,
        input.nextAttemptAt ?? null,
        failedAttempt,
        JSON.stringify(input.skipped ?? {}),
      ],
    );
    const run = rows[0];
    if (!run) return;
    await this.#pool.query(
      `update sync_runs set status = $4, next_attempt_at = null, finished_at = clock_timestamp(),
              error = case when $4 = 'cancelled' then $5 else error end
        where integration_id = $1 and job_id = $2 and status = 'retrying' and id <> $3`,
      input.status === 'succeeded'
        ? [
            run.integration_id,
            run.job_id,
            input.runId,
            'cancelled',
            'Not retried: a later run of this job succeeded.',
          ]
        : [run.integration_id, run.job_id, input.runId, 'failed', null],
    );
  }

  /** Closes runs waiting for a retry that will not come (integration switched off, flow off). */
  async abandonRetries(input: { integrationId: string; jobId?: string; reason: string }): Promise<void> {
    await this.#pool.query(
      `update sync_runs set status = 'failed', next_attempt_at = null, finished_at = clock_timestamp(),
              error = coalesce(error || ' ', '') || $3
        where integration_id = $1 and ($2::text is null or job_id = $2) and status = 'retrying'`,
      [input.integrationId, input.jobId ?? null, input.reason],
    );
  }
}
