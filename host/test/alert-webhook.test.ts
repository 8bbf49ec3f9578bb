import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './support/test-host.ts';

/**
 * Issue 13 "Alerts": "an optional webhook per tenant (e.g. a chat incoming webhook) that receives
 * the same alerts". A local chat receiver over real HTTP: each alert arrives once while it lasts
 * and again after it cleared and came back; a chat that refuses is retried and its reason shown;
 * the URL (the chat's secret) never comes back from the API, never reaches the logs and is sealed
 * in the database; a worker's own timer sends the rounds.
 */

interface Received {
  path: string;
  body: { text: string; alerts: { id: string; title: string; url: string | null }[] };
}

let host: TestHost;
let chat: Server;
let chatUrl = '';
const received: Received[] = [];
let answer = 200;
const SECRET_PATH = `/hooks/T000/B000/${randomUUID()}`;

const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  (await host.database.db.pool.query(sql, params)).rows as T[];

async function bodyOf(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return text;
}

async function tenantAdmin() {
  const tenant = await host.createTenant();
  const admin = await host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
  return { tenantId: tenant.id, admin };
}

async function needsReauth(tenantId: string, label: string) {
  const id = randomUUID();
  await q(
    `insert into integrations (id, tenant_id, plugin_id, label, status, status_reason, settings, created_at, updated_at)
     values ($1, $2, 'market-a', $3, 'needs_reauth', 'The marketplace refused the saved sign-in.', '{}'::jsonb, now(), now())`,
    [id, tenantId, label],
  );
  return id;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the alert round');
    await sleep(50);
  }
}

beforeAll(async () => {
  chat = createServer((request, response) => {
    void bodyOf(request).then((text) => {
      if (answer === 200)
        received.push({ path: request.url ?? '', body: JSON.parse(text) as Received['body'] });
      response.writeHead(answer).end(answer === 200 ? 'ok' : 'invalid_token');
    });
  });
  await new Promise<void>((r) => chat.listen(0, '127.0.0.1', r));
  chatUrl = `http://127.0.0.1:${(chat.address() as AddressInfo).port}${SECRET_PATH}`;
  host = await startTestHost({ role: 'all', env: { ALERT_WEBHOOK_INTERVAL_MS: '200' } });
});
afterAll(async () => {
  await host?.stop();
  await new Promise((r) => chat?.close(r));
});

describe('alerts sent to a tenant’s chat', () => {
  it('sends each alert once while it lasts, again when it comes back; a refusal is retried and explained', async () => {
    const { tenantId, admin } = await tenantAdmin();
    const saved = await admin.trpc.alerts.setWebhook.mutate({ url: chatUrl });
    expect(saved).toEqual({
      configured: true,
      destination: `http://${new URL(chatUrl).host}/…`,
      lastDeliveredAt: null,
      lastError: null,
      lastErrorAt: null,
    });
    expect(await admin.trpc.alerts.testWebhook.mutate()).toEqual({
      delivered: true,
      message: `The test message was sent (to http://${new URL(chatUrl).host}/…); check that it arrived in your chat.`,
    });
    received.length = 0;

    const broken = await needsReauth(tenantId, 'Shop on Allegro');
    // The worker's own timer (every 200 ms here) sends it: no call from the test.
    await until(() => received.length > 0);
    expect(received).toHaveLength(1);
    expect(received[0]!.path).toBe(SECRET_PATH);
    expect(received[0]!.body.alerts.map((a) => a.id)).toEqual([`reauth:${broken}`]);
    expect(received[0]!.body.text).toContain('Shop on Allegro needs you to connect it again');
    expect(received[0]!.body.alerts[0]!.url).toBe(`${host.url}/settings/integrations/${broken}`);

    // Still there: not sent again, round after round.
    await sleep(800);
    expect(received).toHaveLength(1);

    // A second alert: only it is sent.
    const second = await needsReauth(tenantId, 'Shop on eMAG');
    await until(() => received.length === 2);
    expect(received[1]!.body.alerts.map((a) => a.id)).toEqual([`reauth:${second}`]);

    // Cleared: nothing sent. Back while the chat refuses: the reason is shown, and it is sent
    // once the chat takes it again.
    await q(`update integrations set status = 'active', status_reason = null where id = $1`, [broken]);
    await sleep(800);
    expect(received).toHaveLength(2);
    answer = 403;
    await q(`update integrations set status = 'needs_reauth' where id = $1`, [broken]);
    await until(async () => (await admin.trpc.alerts.webhook.query()).lastError !== null);
    expect((await admin.trpc.alerts.webhook.query()).lastError).toBe(
      'Your chat did not accept the alerts: its webhook address may have been deleted or revoked there. Paste a current one in Settings → Alerts; they are sent again in a minute.',
    );
    expect(received).toHaveLength(2);
    answer = 200;
    await until(() => received.length === 3);
    expect(received[2]!.body.alerts.map((a) => a.id)).toEqual([`reauth:${broken}`]);
    await sleep(800);
    expect(received).toHaveLength(3);
    expect((await admin.trpc.alerts.webhook.query()).lastError).toBeNull();
  });

  it('keeps the URL secret: never in an answer, the logs or a readable column; refuses unsafe addresses', async () => {
    const { tenantId, admin } = await tenantAdmin();
    const secret = `https://hooks.example.com/services/${randomUUID()}`;
    const saved = await admin.trpc.alerts.setWebhook.mutate({ url: secret });
    expect(JSON.stringify(saved)).not.toContain(new URL(secret).pathname);
    expect(JSON.stringify(await admin.trpc.alerts.webhook.query())).not.toContain(new URL(secret).pathname);
    const [row] = await q<{ url_ciphertext: string; url_display: string }>(
      'select url_ciphertext, url_display from alert_webhooks where tenant_id = $1',
      [tenantId],
    );
    expect(row!.url_ciphertext).not.toContain('hooks.example.com');
    expect(row!.url_display).toBe('https://hooks.example.com/…');
    const audit = await q<{ details: unknown }>(
      `select details from audit_log where tenant_id = $1 and action = 'alerts.webhook_set'`,
      [tenantId],
    );
    expect(audit).toEqual([{ details: { destination: 'https://hooks.example.com/…' } }]);

    for (const [url, path] of [
      ['not a url', '/url'],
      ['http://hooks.example.com/x', '/url'],
      ['https://user:pw@hooks.example.com/x', '/url'],
    ] as const) {
      const error = await admin.trpc.alerts.setWebhook.mutate({ url }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TRPCClientError);
      const data = (error as TRPCClientError<never>).data as unknown as {
        httpStatus: number;
        issues: { path: string; message: string }[];
      };
      expect(data.httpStatus).toBe(400);
      expect(data.issues[0]!.path).toBe(path);
      expect(data.issues[0]!.message).not.toMatch(/zod|regex|invalid_/i);
    }

    // A tenant user sees alerts but does not choose where they go.
    const user = await host.createActor({ role: 'tenant_user', tenantId });
    expect(await user.trpc.alerts.list.query()).toEqual({ alerts: [] });
    await expect(user.trpc.alerts.setWebhook.mutate({ url: secret })).rejects.toThrow(/Only a tenant admin/);

    // Another tenant's admin cannot reach it (its own is empty).
    const other = await tenantAdmin();
    expect((await other.admin.trpc.alerts.webhook.query()).configured).toBe(false);
    expect(await other.admin.trpc.alerts.webhook.query({ tenantId })).toMatchObject({ configured: false });

    // A rotated tenant key re-seals it: it still opens.
    const { rotateTenantDataKey } = await import('../src/vault/rotate.ts');
    const { parseMasterKey } = await import('../src/vault/master-key.ts');
    const rotated = await rotateTenantDataKey({
      db: host.database.db,
      vault: host.app.services.vault,
      masterKey: parseMasterKey(host.app.services.env.masterKey!, 'HOST_MASTER_KEY'),
      tenantId,
    });
    expect(rotated.reencrypted).toBe(1);
    const [resealed] = await q<{ url_ciphertext: string }>(
      'select url_ciphertext from alert_webhooks where tenant_id = $1',
      [tenantId],
    );
    expect(resealed!.url_ciphertext).not.toBe(row!.url_ciphertext);
    const opened = await host.app.services.vault.decrypt({
      tenantId,
      context: 'alert-webhook',
      ciphertext: resealed!.url_ciphertext,
    });
    expect(opened).toBe(secret);

    await admin.trpc.alerts.removeWebhook.mutate();
    expect((await admin.trpc.alerts.webhook.query()).configured).toBe(false);
    expect(host.logs()).not.toContain(new URL(secret).pathname);
    expect(host.logs()).not.toContain(SECRET_PATH);
  });
});
