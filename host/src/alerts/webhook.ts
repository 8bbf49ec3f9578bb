import type { Logger } from '../logging/logger.ts';
import type { Database, SqlPool } from '../db/orm.ts';
import { invalidInput } from '../errors.ts';
import type { Vault } from '../vault/index.ts';
import { ALERT_WEBHOOK_CONTEXT } from './webhook-context.ts';
import { alertsOf, type Alert } from '../api/queries/alerts.ts';

/**
 * A tenant's alerts sent to its chat (issue 13 "Alerts": "an optional webhook per tenant, e.g. a
 * chat incoming webhook, that receives the same alerts"). The URL is the chat's secret: it is
 * sealed by the vault, never shown back (only its host), never logged. Each alert is sent once
 * while it lasts; one that clears and comes back is sent again. A worker sends; with several
 * workers, the webhook's row lock lets one of them send each round.
 */

const CONTEXT = ALERT_WEBHOOK_CONTEXT;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const SEND_TIMEOUT_MS = 10_000;

export interface AlertWebhookView {
  configured: boolean;
  /** Where alerts go, without the secret part: `https://hooks.example.com/…`. */
  destination: string | null;
  lastDeliveredAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

/** The URL as typed, checked: https anywhere, plain http only to this machine (a local relay). */
export function checkWebhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw invalidInput('That is not a web address.', [
      {
        path: '/url',
        code: 'invalid_url',
        message: 'Paste the whole incoming-webhook address your chat gave you, starting with https://',
      },
    ]);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
    throw invalidInput('Alerts are only sent over a secure connection.', [
      {
        path: '/url',
        code: 'insecure_url',
        message: 'Use the https:// address of the webhook (plain http only works for this machine).',
      },
    ]);
  if (url.username || url.password)
    throw invalidInput('The address must not contain a user name or password.', [
      {
        path: '/url',
        code: 'credentials_in_url',
        message: 'Use the webhook address exactly as your chat gave it.',
      },
    ]);
  return url;
}

const display = (url: URL) => `${url.protocol}//${url.host}/…`;

interface Row {
  tenant_id: string;
  url_ciphertext: string;
  url_display: string;
  last_delivered_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
}

const view = (row: Row | undefined): AlertWebhookView => ({
  configured: Boolean(row),
  destination: row?.url_display ?? null,
  lastDeliveredAt: row?.last_delivered_at ? new Date(row.last_delivered_at).toISOString() : null,
  lastError: row?.last_error ?? null,
  lastErrorAt: row?.last_error_at ? new Date(row.last_error_at).toISOString() : null,
});

/** What the chat receives: `text` for Slack, Mattermost, Rocket.Chat and Google Chat; `alerts` for anything else. */
export function webhookPayload(alerts: Alert[], publicUrl: string): { text: string; alerts: unknown[] } {
  const base = publicUrl.replace(/\/$/, '');
  const link = (a: Alert) => (a.href ? `${base}${a.href}` : null);
  return {
    text: alerts
      .map(
        (a) =>
          `${a.severity === 'error' ? '🔴' : '🟠'} ${a.title}. ${a.message}${link(a) ? ` ${link(a)}` : ''}`,
      )
      .join('\n'),
    alerts: alerts.map((a) => ({ ...a, url: link(a) })),
  };
}

async function post(url: string, body: unknown): Promise<string | null> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      redirect: 'error',
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (response.ok) return null;
    // In words, not the HTTP status: the chat turned the address down, or was busy.
    return response.status < 500
      ? 'Your chat did not accept the alerts: its webhook address may have been deleted or revoked there. Paste a current one in Settings → Alerts; they are sent again in a minute.'
      : 'Your chat could not take the alerts just now. They are sent again in a minute.';
  } catch (error) {
    const why =
      (error as Error).name === 'TimeoutError'
        ? 'it did not answer within 10 seconds'
        : 'it could not be reached';
    return `The alerts could not be sent: ${why}. They are sent again in a minute.`;
  }
}

export interface AlertWebhooks {
  get(tenantId: string): Promise<AlertWebhookView>;
  save(tenantId: string, url: string): Promise<AlertWebhookView>;
  remove(tenantId: string): Promise<AlertWebhookView>;
  /** Sends one test message now; the answer says whether the chat took it. */
  test(tenantId: string): Promise<{ delivered: boolean; message: string }>;
  /** One round: every tenant's new alerts sent. Returns how many alerts were sent. */
  deliver(): Promise<number>;
}

export function createAlertWebhooks(deps: {
  db: Pick<Database, 'pool' | 'kind'>;
  vault: Vault;
  logger: Logger;
  publicUrl: () => string;
}): AlertWebhooks {
  const { pool } = deps.db;
  const read = async (tenantId: string) =>
    (await pool.query<Row>('select * from alert_webhooks where tenant_id = $1', [tenantId])).rows[0];
  const open = (row: Row) =>
    deps.vault.decrypt({ tenantId: row.tenant_id, context: CONTEXT, ciphertext: row.url_ciphertext });

  async function deliverTo(row: Row, client: Pick<SqlPool, 'query'>): Promise<number> {
    const { alerts } = await alertsOf(pool, row.tenant_id);
    // Cleared alerts are forgotten, so they are sent again if they come back.
    await client.query(
      'delete from alert_deliveries where tenant_id = $1 and not (alert_id = any($2::text[]))',
      [row.tenant_id, alerts.map((a) => a.id)],
    );
    const sent = new Set(
      (
        await client.query<{ alert_id: string }>(
          'select alert_id from alert_deliveries where tenant_id = $1',
          [row.tenant_id],
        )
      ).rows.map((r) => r.alert_id),
    );
    const fresh = alerts.filter((a) => !sent.has(a.id));
    if (fresh.length === 0) return 0;
    const failure = await post(await open(row), webhookPayload(fresh, deps.publicUrl()));
    if (failure) {
      await client.query(
        'update alert_webhooks set last_error = $2, last_error_at = now() where tenant_id = $1',
        [row.tenant_id, failure],
      );
      deps.logger.warn({ tenantId: row.tenant_id, alerts: fresh.length }, 'alert webhook delivery failed');
      return 0;
    }
    await client.query(
      `insert into alert_deliveries (tenant_id, alert_id) select $1, unnest($2::text[]) on conflict do nothing`,
      [row.tenant_id, fresh.map((a) => a.id)],
    );
    await client.query(
      'update alert_webhooks set last_delivered_at = now(), last_error = null, last_error_at = null where tenant_id = $1',
      [row.tenant_id],
    );
    return fresh.length;
  }

  return {
    async get(tenantId) {
      return view(await read(tenantId));
    },

    async save(tenantId, raw) {
      const url = checkWebhookUrl(raw);
      const ciphertext = await deps.vault.encrypt({ tenantId, context: CONTEXT, plaintext: url.toString() });
      await pool.query(
        `insert into alert_webhooks (tenant_id, url_ciphertext, url_display) values ($1, $2, $3)
         on conflict (tenant_id) do update set url_ciphertext = excluded.url_ciphertext,
           url_display = excluded.url_display, last_error = null, last_error_at = null, updated_at = now()`,
        [tenantId, ciphertext, display(url)],
      );
      // A new destination has seen nothing yet.
      await pool.query('delete from alert_deliveries where tenant_id = $1', [tenantId]);
      return view(await read(tenantId));
    },

    async remove(tenantId) {
      await pool.query('delete from alert_webhooks where tenant_id = $1', [tenantId]);
      await pool.query('delete from alert_deliveries where tenant_id = $1', [tenantId]);
      return view(undefined);
    },

    async test(tenantId) {
      const row = await read(tenantId);
      if (!row)
        return { delivered: false, message: 'No webhook is set: paste your chat’s webhook address first.' };
      const failure = await post(await open(row), {
        text: 'Test from the connector console: alerts that need a person will appear here.',
        alerts: [],
      });
      return failure
        ? {
            delivered: false,
            message: failure.replace(
              / They are sent again in a minute\.$/,
              ' Check the address and try again.',
            ),
          }
        : {
            delivered: true,
            message: `The test message was sent (to ${row.url_display}); check that it arrived in your chat.`,
          };
    },

    async deliver() {
      const tenants = (
        await pool.query<{ tenant_id: string }>(
          `select w.tenant_id from alert_webhooks w join tenants t on t.id = w.tenant_id where t.disabled_at is null`,
        )
      ).rows;
      let total = 0;
      for (const { tenant_id: tenantId } of tenants) {
        try {
          if (deps.db.kind === 'embedded') {
            // One process owns the embedded database: nothing to share the round with.
            const row = await read(tenantId);
            if (row) total += await deliverTo(row, pool);
            continue;
          }
          const client = await pool.connect();
          try {
            await client.query('begin');
            // Another worker sending this tenant's round holds the row: skip it this time.
            const row = (
              await client.query<Row>(
                'select * from alert_webhooks where tenant_id = $1 for update skip locked',
                [tenantId],
              )
            ).rows[0];
            if (row) total += await deliverTo(row, client);
            await client.query('commit');
          } catch (error) {
            await client.query('rollback').catch(() => undefined);
            throw error;
          } finally {
            client.release();
          }
        } catch (error) {
          deps.logger.error({ err: error, tenantId }, 'alert webhook round failed');
        }
      }
      return total;
    },
  };
}

/** Sends new alerts every `everyMs` until stopped (workers only). */
export function startAlertWebhookLoop(
  webhooks: AlertWebhooks,
  everyMs: number,
  logger: Logger,
): () => Promise<void> {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() =>
      stopped
        ? undefined
        : webhooks
            .deliver()
            .catch((error: unknown) => logger.error({ err: error }, 'alert webhook round failed')),
    );
  }, everyMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
