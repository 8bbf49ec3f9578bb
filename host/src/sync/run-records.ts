import { randomUUID } from 'node:crypto';
import type { SqlPool } from '../db/orm.ts';

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

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
  }): Promise<string> {
    const existing = await this.#pool.query<{ id: string }>(
      `select id from sync_runs where integration_id = $1 and job_id = $2 and status = 'queued' order by started_at limit 1`,
      [input.integrationId, input.jobId],
    );
    if (existing.rows[0]) return existing.rows[0].id;
    const id = randomUUID();
    await this.#pool.query(
      `insert into sync_runs (id, tenant_id, integration_id, job_id, trigger, status, attempt, counts, progress_done, started_at)
       values ($1, $2, $3, $4, $5, 'queued', 1, '{}'::jsonb, 0, clock_timestamp())`,
      [id, input.tenantId, input.integrationId, input.jobId, input.trigger],
    );
    return id;
  }

  /** Marks the queued run of this job as running, or starts a new row. */
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
    const claimed = await this.#pool.query<{ id: string }>(
      `update sync_runs set status = 'running', attempt = $3, started_at = clock_timestamp()
        where id = (select id from sync_runs where integration_id = $1 and job_id = $2 and status = 'queued'
                     order by started_at limit 1)
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

  async progress(runId: string, done: number, total: number | undefined): Promise<void> {
    await this.#pool.query('update sync_runs set progress_done = $2, progress_total = $3 where id = $1', [
      runId,
      done,
      total ?? null,
    ]);
  }

  async finish(input: {
    runId: string;
    status: Exclude<RunStatus, 'queued' | 'running'>;
    counts: Record<string, number>;
    error?: string | undefined;
  }): Promise<void> {
    await this.#pool.query(
      `update sync_runs set status = $2, counts = $3::jsonb, error = $4, finished_at = clock_timestamp() where id = $1`,
      [input.runId, input.status, JSON.stringify(input.counts), input.error ?? null],
    );
  }
}
