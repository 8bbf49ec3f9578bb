import {
  isPluginError,
  PluginErrorCode,
  RefusedError,
  RetryableError,
  type OutboundBatchOutcome,
  type OutboundOperation,
  type PluginOutbound,
} from '@mch/plugin-sdk';
import type { SqlPool } from '../../db/orm.ts';
import { redactSignedUrls } from '../../logging/logger.ts';

interface Row {
  id: string;
  status: string;
  attempts: number;
  response: unknown;
  last_error?: string | null;
}

const MAX_ERROR_LENGTH = 2000;
const errorText = (error: unknown) =>
  redactSignedUrls((error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_LENGTH));
/**
 * What is stored of a payload or response: signed invoice-link tokens replaced by a reference
 * (`/public/invoices/<id>/[redacted].pdf`): the invoice id is kept and the signer derives the
 * real URL from it whenever needed, so a database dump holds no working link (issue 11).
 */
const storedJson = (value: unknown) => redactSignedUrls(JSON.stringify(value));

/** Claims (creates, or takes back if failed or stale) each operation of a kind; returns the claimed. */
const CLAIM = `
  insert into outbound_operations as o
    (id, tenant_id, integration_id, kind, idempotency_key, payload, status, attempts, created_at, updated_at)
  select gen_random_uuid(), $1, $2, $3, k.key, coalesce(k.payload, 'null'::jsonb), 'running', 1, now(), clock_timestamp()
    from jsonb_to_recordset($4::jsonb) as k(key text, payload jsonb)
  on conflict (integration_id, kind, idempotency_key) do update
     set status = 'running', attempts = o.attempts + 1, updated_at = clock_timestamp()
   where o.status in ('pending', 'failed')
      or (o.status = 'running' and o.updated_at < clock_timestamp() - make_interval(secs => $5))
  returning idempotency_key as key, id, status, attempts, response`;

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
  const outbound: PluginOutbound = {
    // One operation is a batch of one: the same claim, record and outcome.
    async once<T>(operation: OutboundOperation, fn: () => Promise<T>) {
      const [outcome] = await outbound.batch([operation], () => fn());
      switch (outcome!.status) {
        case 'done':
        case 'already-done': {
          const { key: _key, ...result } = outcome!;
          return result;
        }
        case 'failed':
          throw outcome!.error;
        case 'busy':
          throw new RetryableError(
            `${operation.kind} ${operation.key} is being done by another worker right now`,
          );
      }
    },

    async batch<T>(
      operations: readonly OutboundOperation[],
      fn: (claimed: OutboundOperation[]) => Promise<T>,
    ): Promise<OutboundBatchOutcome<T>[]> {
      if (operations.length === 0) return [];
      const kind = operations[0]!.kind;
      const keys = new Set(operations.map((o) => o.key));
      if (operations.some((o) => o.kind !== kind))
        throw new Error('ctx.outbound.batch: all operations must be of one kind.');
      if (keys.size !== operations.length)
        throw new Error('ctx.outbound.batch: operation keys must be distinct.');
      const claimed = new Map(
        (
          await pool.query<Row & { key: string }>(CLAIM, [
            tenantId,
            integrationId,
            kind,
            storedJson(operations.map((o) => ({ key: o.key, payload: o.payload ?? null }))),
            options.staleAfterMs / 1000,
          ])
        ).rows.map((r) => [r.key, r]),
      );
      const others = new Map(
        claimed.size === operations.length
          ? []
          : (
              await pool.query<Row & { key: string }>(
                `select idempotency_key as key, id, status, attempts, response, last_error from outbound_operations
                  where integration_id = $1 and kind = $2 and idempotency_key = any($3::text[])`,
                [integrationId, kind, operations.filter((o) => !claimed.has(o.key)).map((o) => o.key)],
              )
            ).rows.map((r) => [r.key, r]),
      );
      let outcome: { ok: true; result: T } | { ok: false; error: unknown } | undefined;
      if (claimed.size > 0) {
        const ids = [...claimed.values()].map((r) => r.id);
        try {
          const result = await fn(operations.filter((o) => claimed.has(o.key)));
          await pool.query(
            `update outbound_operations set status = 'succeeded', response = $2::jsonb, last_error = null,
                    completed_at = clock_timestamp(), updated_at = clock_timestamp()
              where id = any($1::uuid[])`,
            [ids, storedJson(result ?? null)],
          );
          outcome = { ok: true, result };
        } catch (error) {
          // A refusal for good is 'dead': never claimed again, no longer waiting (SDK RefusedError).
          const refused = isPluginError(error) && error.code === PluginErrorCode.REFUSED;
          await pool.query(
            `update outbound_operations set status = $3, last_error = $2, updated_at = clock_timestamp()
              where id = any($1::uuid[])`,
            [ids, errorText(error), refused ? 'dead' : 'failed'],
          );
          outcome = { ok: false, error };
        }
      }
      return operations.map((o): OutboundBatchOutcome<T> => {
        const mine = claimed.get(o.key);
        if (mine && outcome?.ok)
          return { key: o.key, status: 'done', result: outcome.result, attempts: mine.attempts };
        if (mine && outcome && !outcome.ok)
          return { key: o.key, status: 'failed', error: outcome.error, attempts: mine.attempts };
        const current = others.get(o.key);
        if (current?.status === 'succeeded')
          return {
            key: o.key,
            status: 'already-done',
            result: current.response as T,
            attempts: current.attempts,
          };
        if (current?.status === 'dead')
          return {
            key: o.key,
            status: 'failed',
            error: new RefusedError(current.last_error ?? `${kind} ${o.key} was refused`),
            attempts: current.attempts,
          };
        return { key: o.key, status: 'busy' };
      });
    },
  };
  return outbound;
}
