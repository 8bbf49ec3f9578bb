import type { SqlPool } from '../db/orm.ts';
import type { PgLikeClient } from '../db/pglite-pool.ts';
import {
  deriveIntegration,
  disabledReason,
  JOB_COLUMNS,
  policyOf,
  toJobState,
  type JobPolicy,
  type JobRow,
  withoutRetryPromise,
} from '../integrations/job-health.ts';

/** The job a run belonged to, and its integration's jobs as the manifest declares them. */
export interface JobOutcome {
  integrationId: string;
  jobId: string;
  policies: readonly JobPolicy[];
}

/**
 * Health after each run, per job (seed "Error Handling", issue 13): a job's success resets that
 * job's failure count only; a run that failed for good (retries spent or not retryable) adds one
 * to it, and `disableAfter` of them in a row disable the integration naming the job. The
 * integration's own columns (status active/degraded, consecutive failures, last error, last
 * success) are then derived from all its jobs, under a lock on the integration's row, so two jobs
 * finishing at once cannot overwrite each other's verdict.
 */
export class IntegrationHealth {
  readonly #pool: SqlPool;
  constructor(pool: SqlPool) {
    this.#pool = pool;
  }

  async succeeded(input: JobOutcome): Promise<void> {
    await this.#update(input, {
      sql: `consecutive_failures = 0, retry_pending = false, last_success_at = clock_timestamp(), last_run_at = clock_timestamp()`,
      params: [],
    });
  }

  /** A failed attempt that will be retried: the job is retrying, its count untouched until the run ends. */
  async retrying(input: JobOutcome & { error: string }): Promise<void> {
    await this.#update(input, {
      sql: `retry_pending = true, last_failure_at = clock_timestamp(), last_error = $3, last_run_at = clock_timestamp()`,
      params: [input.error],
    });
  }

  /** A run that failed for good. Returns true when this failure disabled the integration. */
  async failed(input: JobOutcome & { error: string }): Promise<boolean> {
    return this.#update(
      input,
      {
        sql: `consecutive_failures = consecutive_failures + 1, failed_runs = failed_runs + 1, retry_pending = false,
              last_failure_at = clock_timestamp(), last_error = $3, last_run_at = clock_timestamp()`,
        params: [input.error],
      },
      { countFailure: true },
    );
  }

  /**
   * A run that failed because the account's authorization was refused: kept as the job's last
   * error, but not counted as the job's failure (the integration needs re-auth; nothing runs until
   * it is reconnected, and after that the job starts with a clean slate).
   */
  async authFailed(input: JobOutcome & { error: string }): Promise<void> {
    await this.#update(input, {
      sql: `retry_pending = false, last_failure_at = clock_timestamp(), last_error = $3, last_run_at = clock_timestamp()`,
      params: [input.error],
    });
  }

  /** A retry that did not run (the job was switched off meanwhile): the job no longer waits for it. */
  async retryDropped(input: JobOutcome): Promise<void> {
    await this.#update(input, { sql: 'retry_pending = false', params: [] });
  }

  async needsReauth(integrationId: string, reason: string): Promise<void> {
    await this.#pool.query(
      `update integrations set status = 'needs_reauth', status_reason = $2, last_sync_error = $2, updated_at = clock_timestamp()
        where id = $1 and status <> 'disabled'`,
      [integrationId, reason],
    );
  }

  /** Writes the job's row, then derives the integration's columns; true when it disabled it. */
  async #update(
    input: JobOutcome,
    change: { sql: string; params: unknown[] },
    options: { countFailure?: boolean } = {},
  ): Promise<boolean> {
    const client = await this.#pool.connect();
    try {
      await client.query('begin');
      const disabled = await this.#updateIn(client, input, change, options);
      await client.query('commit');
      return disabled;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async #updateIn(
    client: PgLikeClient,
    input: JobOutcome,
    change: { sql: string; params: unknown[] },
    options: { countFailure?: boolean },
  ): Promise<boolean> {
    const { rows: integrations } = await client.query<{ tenant_id: string; status: string }>(
      'select tenant_id, status from integrations where id = $1 for update',
      [input.integrationId],
    );
    const integration = integrations[0];
    if (!integration) return false;
    const policy = policyOf(input.policies, { jobId: input.jobId, title: input.jobId });
    await client.query(
      `insert into integration_jobs (integration_id, job_id, tenant_id, title) values ($1, $2, $3, $4)
       on conflict (integration_id, job_id) do update set title = excluded.title`,
      [input.integrationId, input.jobId, integration.tenant_id, policy.title],
    );
    const { rows: updated } = await client.query<JobRow>(
      `update integration_jobs set ${change.sql}
        where integration_id = $1 and job_id = $2
        returning ${JOB_COLUMNS}`,
      [input.integrationId, input.jobId, ...change.params],
    );
    const { rows } = await client.query<JobRow>(
      `select ${JOB_COLUMNS} from integration_jobs where integration_id = $1 order by job_id`,
      [input.integrationId],
    );
    const derived = deriveIntegration(rows.map(toJobState), input.policies);
    const job = updated[0] ? toJobState(updated[0]) : undefined;
    const running = integration.status === 'active' || integration.status === 'degraded';
    const disable =
      running &&
      options.countFailure === true &&
      job !== undefined &&
      job.consecutiveFailures >= policy.disableAfter;
    const status = !running
      ? integration.status
      : disable
        ? 'disabled'
        : derived.failing
          ? 'degraded'
          : 'active';
    const reason = disable
      ? disabledReason({
          title: policy.title,
          failures: job.consecutiveFailures,
          error: job.lastError ?? 'unknown',
        })
      : derived.reason;
    await client.query(
      `update integrations set consecutive_failures = $2, last_sync_error = $3, last_success_at = $4,
              sync_error_count = sync_error_count + $5, last_sync_at = clock_timestamp(), status = $6,
              status_reason = case when $7::boolean then $8 else status_reason end,
              updated_at = clock_timestamp()
        where id = $1`,
      [
        input.integrationId,
        // A switched-off account shows the count that switched it off.
        disable ? job.consecutiveFailures : derived.consecutiveFailures,
        disable ? `${policy.title}: ${withoutRetryPromise(job.lastError ?? 'unknown')}` : derived.lastError,
        derived.lastSuccessAt,
        options.countFailure ? 1 : 0,
        status,
        running,
        reason,
      ],
    );
    return disable;
  }
}
