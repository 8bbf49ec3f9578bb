import { RetryableError, type OutboundOperation, type PluginOutbound } from '@mch/plugin-sdk';
import type { SqlPool } from '../../db/orm.ts';

interface Row {
  id: string;
  status: string;
  attempts: number;
  response: unknown;
}

const MAX_ERROR_LENGTH = 2000;

/**
 * `ctx.outbound.once`: an operation on the marketplace takes effect once per (integration, kind,
 * key). The row is claimed before `fn` runs and marked succeeded with the response after, so
 * retries, duplicate events and other processes see it done. A claim left `running` by a crashed
 * process is taken over after `staleAfterMs`; `fn` must then cope with the effect having happened
 * (e.g. a 409 "already has an invoice") — the plugin knows how its marketplace says so.
 */
export function createPluginOutbound(options: {
  pool: SqlPool;
  tenantId: string;
  integrationId: string;
  staleAfterMs: number;
}): PluginOutbound {
  const { pool, tenantId, integrationId } = options;
  return {
    async once<T>(operation: OutboundOperation, fn: () => Promise<T>) {
      // Created already claimed, or claimed again if it failed or its claimant died: one statement.
      const claimed = await pool.query<Row>(
        `insert into outbound_operations as o
           (id, tenant_id, integration_id, kind, idempotency_key, payload, status, attempts, created_at, updated_at)
         values (gen_random_uuid(), $1, $2, $3, $4, $5::jsonb, 'running', 1, now(), clock_timestamp())
         on conflict (integration_id, kind, idempotency_key) do update
            set status = 'running', attempts = o.attempts + 1, updated_at = clock_timestamp()
          where o.status in ('pending', 'failed')
             or (o.status = 'running' and o.updated_at < clock_timestamp() - make_interval(secs => $6))
         returning id, status, attempts, response`,
        [
          tenantId,
          integrationId,
          operation.kind,
          operation.key,
          JSON.stringify(operation.payload ?? null),
          options.staleAfterMs / 1000,
        ],
      );
      const row = claimed.rows[0];
      if (!row) {
        const { rows } = await pool.query<Row>(
          `select id, status, attempts, response from outbound_operations
            where integration_id = $1 and kind = $2 and idempotency_key = $3`,
          [integrationId, operation.kind, operation.key],
        );
        const current = rows[0];
        if (current?.status === 'succeeded') {
          return { status: 'already-done', result: current.response as T, attempts: current.attempts };
        }
        throw new RetryableError(
          `${operation.kind} ${operation.key} is being done by another worker right now`,
        );
      }
      try {
        const result = await fn();
        await pool.query(
          `update outbound_operations set status = 'succeeded', response = $2::jsonb, last_error = null,
                  completed_at = clock_timestamp(), updated_at = clock_timestamp()
            where id = $1`,
          [row.id, JSON.stringify(result ?? null)],
        );
        return { status: 'done', result, attempts: row.attempts };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await pool.query(
          `update outbound_operations set status = 'failed', last_error = $2, updated_at = clock_timestamp() where id = $1`,
          [row.id, message.slice(0, MAX_ERROR_LENGTH)],
        );
        throw error;
      }
    },
  };
}
