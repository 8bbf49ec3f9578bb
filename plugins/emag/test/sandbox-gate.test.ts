/* eslint-disable @typescript-eslint/no-explicit-any -- these tests read untyped JSON off the wire */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startSandbox } from '../sandbox/index.ts';
import { emagCaller, type EmagCaller } from '../sandbox/client.ts';

// Credentials, IP whitelist and per-account rate limits: a client must be able to tell
// a wrong password (401), a blocked IP (isError "Invalid vendor ip") and a limit (429) apart.
let sb: RunningSandbox;
let ro: EmagCaller;

beforeAll(async () => {
  sb = await startSandbox({ orders: 300, seed: 'gate' });
  ro = emagCaller({ url: sb.url, ...(sb.credentials as { username: string; password: string }) });
});
afterAll(() => sb.close());
beforeEach(async () => {
  // Reset also empties the rate windows, so each test starts with a full budget.
  await fetch(`${sb.controlUrl}/reset`, { method: 'POST' });
});

const state = async () => (await (await fetch(`${sb.controlUrl}/state`)).json()) as Record<string, any>;
const putFaults = (faults: Record<string, unknown>) =>
  fetch(`${sb.controlUrl}/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });

describe('authentication', () => {
  it('answers a wrong password with 401 and eMAG message', async () => {
    const wrong = emagCaller({ url: sb.url, username: 'ro-main@sandbox.emag', password: 'nope' });
    const res = await wrong.call('order/read');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      isError: true,
      messages: ['You are not allowed to use this API.'],
      results: [],
    });
  });

  it('binds an account to its platform and serves every platform with its own accounts', async () => {
    const roOnBg = emagCaller({
      url: sb.url,
      platform: 'bg',
      ...(sb.credentials as { username: string; password: string }),
    });
    expect((await roOnBg.call('order/read')).status).toBe(401);
    for (const platform of ['ro', 'bg', 'hu', 'fdro', 'fdbg']) {
      for (const kind of ['main', 'fbe']) {
        const c = emagCaller({
          url: sb.url,
          platform,
          username: `${platform}-${kind}@sandbox.emag`,
          password: `sandbox-${platform}-${kind}`,
        });
        expect((await c.call('order/count')).body.isError, `${platform}-${kind}`).toBe(false);
      }
    }
    const unknown = await fetch(`${sb.url}/pl/api-3/order/read`, { method: 'POST' });
    expect(unknown.status).toBe(404);
  });

  it('lists the accounts on the control endpoint', async () => {
    const accounts = (await (await fetch(`${sb.controlUrl}/accounts`)).json()) as Record<string, string>[];
    expect(accounts).toHaveLength(10);
    expect(accounts[0]).toMatchObject({
      key: 'ro-main',
      currency: 'RON',
      username: sb.credentials.username,
      password: sb.credentials.password,
      apiUrl: `${sb.url}/ro/api-3`,
    });
    expect(accounts.map((a) => a.currency)).toContain('HUF');
  });

  it('tells a non-whitelisted IP apart once the fault is on', async () => {
    expect((await putFaults({ ipNotWhitelisted: true })).status).toBe(200);
    const res = await ro.call('order/read');
    expect(res.status).toBe(200);
    expect(res.body.isError).toBe(true);
    expect(res.body.messages?.[0]).toBe('ERROR: Invalid vendor ip [127.0.0.1]');
    // A wrong password still reads as a wrong password.
    const wrong = emagCaller({ url: sb.url, username: 'ro-main@sandbox.emag', password: 'nope' });
    expect((await wrong.call('order/read')).status).toBe(401);
    await putFaults({ ipNotWhitelisted: false });
    expect((await ro.call('order/read')).body.isError).toBe(false);
  });
});

describe('rate limits', () => {
  it('allows 12 order requests per second per account, then 429 with the documented body and headers', async () => {
    const results = await Promise.all(Array.from({ length: 15 }, () => ro.call('order/count')));
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(12);
    expect(limited).toHaveLength(3);
    expect(limited[0]!.body).toEqual({ message: 'API rate limit exceeded' });
    expect(limited[0]!.headers.get('x-ratelimit-limit-3second')).toBe('36');
    expect(limited[0]!.headers.get('x-ratelimit-remaining-3second')).toBe('0');
    expect(ok[0]!.headers.get('x-ratelimit-limit-3second')).toBe('36');
    // Another account has its own budget.
    const bg = emagCaller({
      url: sb.url,
      platform: 'bg',
      username: 'bg-main@sandbox.emag',
      password: 'sandbox-bg-main',
    });
    expect((await bg.call('order/count')).status).toBe(200);
    const s = await state();
    expect(s.breachesByKey).toEqual({ 'ro-main': 3 });
    expect(s.requests['POST /:platform/api-3/order/count']).toBe(16);
  });

  it('limits all other resources together to 3 per second', async () => {
    const calls = [
      ro.call('rma/read'),
      ro.call('product_offer/read'),
      ro.call('rma/count'),
      ro.call('product_offer/count'),
    ];
    const statuses = (await Promise.all(calls)).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await ro.call('rma/read');
    expect(limited.headers.get('x-ratelimit-limit-3second')).toBe('9');
    // Order routes keep their own budget.
    expect((await ro.call('order/count')).status).toBe(200);
    // The budget comes back after the window.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await ro.call('rma/read')).status).toBe(200);
  });

  it('counts invalid requests too', async () => {
    const results = await Promise.all(
      Array.from({ length: 13 }, () => ro.call('order/read', { itemsPerPage: 1000 })),
    );
    expect(results.filter((r) => r.status === 429)).toHaveLength(1);
  });

  it('can be turned off', async () => {
    const free = await startSandbox({ orders: 10, rateLimit: false });
    try {
      const c = emagCaller({
        url: free.url,
        ...(free.credentials as { username: string; password: string }),
      });
      const results = await Promise.all(Array.from({ length: 40 }, () => c.call('order/count')));
      expect(results.every((r) => r.status === 200)).toBe(true);
    } finally {
      await free.close();
    }
  });
});
