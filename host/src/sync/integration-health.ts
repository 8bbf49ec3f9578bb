import type { SqlPool } from '../db/orm.ts';

/**
 * The integration's health after each run (seed "Error Handling"): a success resets the failure
 * counter; a run that failed for good (retries exhausted or not retryable) increments it, and
 * `disableAfter` consecutive ones disable the integration with the reason, visible to the seller.
 */
export class IntegrationHealth {
  readonly #pool: SqlPool;
  constructor(pool: SqlPool) {
    this.#pool = pool;
  }

  async succeeded(integrationId: string): Promise<void> {
    await this.#pool.query(
      `update integrations set consecutive_failures = 0, last_sync_at = clock_timestamp(),
              last_success_at = clock_timestamp(), last_sync_error = null,
              status = case when status = 'degraded' then 'active' else status end,
              status_reason = case when status = 'degraded' then null else status_reason end,
              updated_at = clock_timestamp()
        where id = $1`,
      [integrationId],
    );
  }

  /** A failed attempt that will be retried: degraded, with the error, counters untouched. */
  async retrying(integrationId: string, error: string): Promise<void> {
    await this.#pool.query(
      `update integrations set last_sync_at = clock_timestamp(), last_sync_error = $2,
              status = case when status = 'active' then 'degraded' else status end, updated_at = clock_timestamp()
        where id = $1`,
      [integrationId, error],
    );
  }

  /** A run that failed for good. Returns true when this failure disabled the integration. */
  async failed(input: { integrationId: string; error: string; disableAfter: number }): Promise<boolean> {
    const { rows } = await this.#pool.query<{ consecutive_failures: number; status: string }>(
      `update integrations set consecutive_failures = consecutive_failures + 1, sync_error_count = sync_error_count + 1,
              last_sync_at = clock_timestamp(), last_sync_error = $2,
              status = case
                when status in ('active', 'degraded') and consecutive_failures + 1 >= $3 then 'disabled'
                when status = 'active' then 'degraded' else status end,
              status_reason = case
                when status in ('active', 'degraded') and consecutive_failures + 1 >= $3
                  then 'Disabled after ' || (consecutive_failures + 1) || ' consecutive failed syncs. Last error: ' || $2
                else status_reason end,
              updated_at = clock_timestamp()
        where id = $1
        returning consecutive_failures, status`,
      [input.integrationId, input.error, input.disableAfter],
    );
    return rows[0]?.status === 'disabled' && rows[0].consecutive_failures >= input.disableAfter;
  }

  async needsReauth(integrationId: string, reason: string): Promise<void> {
    await this.#pool.query(
      `update integrations set status = 'needs_reauth', status_reason = $2, last_sync_error = $2, updated_at = clock_timestamp()
        where id = $1 and status <> 'disabled'`,
      [integrationId, reason],
    );
  }
}
