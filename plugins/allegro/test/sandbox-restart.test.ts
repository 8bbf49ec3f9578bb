import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import { apiHeaders, basicAuth, obtainTokens } from '../sandbox/testing/consent.ts';

/**
 * Demo mode restarts the sandbox on the host's data folder (`stateDir`): a seller who consented
 * stays connected, and the orders, events and invoices it served are still there.
 */
describe('Allegro sandbox across a restart', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'allegro-state-'));
  const running: RunningSandbox[] = [];
  const start = async () => {
    const sb = await startSandbox({ orders: 10, seed: 'restart', stateDir });
    running.push(sb);
    return sb;
  };
  afterAll(async () => {
    await Promise.all(running.map((sb) => sb.close()));
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('keeps tokens, orders and events, and continues the event ids', async () => {
    const first = await start();
    const tokens = await obtainTokens({ sandbox: first });
    const added = await fetch(`${first.url}/__sandbox/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 3 }),
    });
    expect(added.status).toBeLessThan(300);
    const read = async (sb: RunningSandbox, path: string, token = tokens.access_token) => {
      const res = await fetch(`${sb.url}${path}`, { headers: apiHeaders(token) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const formsBefore = await read(first, '/order/checkout-forms?limit=100');
    const eventsBefore = await read(first, '/order/events?limit=1000');
    expect(formsBefore.status).toBe(200);
    await first.close();
    running.splice(0);

    const second = await start();
    // The access token the seller's consent gave still works; so does its refresh token.
    const forms = await read(second, '/order/checkout-forms?limit=100');
    expect(forms.status).toBe(200);
    expect(forms.body).toEqual(formsBefore.body);
    const events = await read(second, '/order/events?limit=1000');
    expect(events.body).toEqual(eventsBefore.body);
    const refreshed = await fetch(`${second.url}/auth/oauth/token`, {
      method: 'POST',
      headers: { authorization: basicAuth(second.credentials) },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' }),
    });
    expect(refreshed.status).toBe(200);

    // A new order after the restart gets a new id and an event after the last one served.
    await fetch(`${second.url}/__sandbox/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 1, account: 0 }),
    });
    const fresh = (await refreshed.json()) as { access_token: string };
    const after = await read(second, '/order/events?limit=1000', fresh.access_token);
    const ids = (list: Record<string, unknown>) => (list.events as { id: string }[]).map((e) => BigInt(e.id));
    const lastBefore = ids(eventsBefore.body).reduce((a, b) => (a > b ? a : b));
    expect(ids(after.body).some((id) => id > lastBefore)).toBe(true);
    expect(new Set(ids(after.body)).size).toBe(ids(after.body).length);
  });
});
