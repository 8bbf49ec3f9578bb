import type { RunningSandbox, SandboxOptions } from '@mch/plugin-sdk/sandbox-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import { apiHeaders, obtainTokens } from '../sandbox/testing/consent.ts';

const running: RunningSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sb) => sb.close()));
});

async function open(options: SandboxOptions = {}) {
  const sb = await startSandbox({ orders: 200, seed: 'faults', ...options });
  running.push(sb);
  const headers = apiHeaders((await obtainTokens({ sandbox: sb })).access_token);
  const get = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(sb.url + path, { headers, ...init });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
    };
  };
  const faults = async (patch: unknown) =>
    fetch(`${sb.controlUrl}/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(patch),
    });
  const state = async () =>
    (await (await fetch(`${sb.controlUrl}/state`)).json()) as {
      breaches: number;
      breachesByKey: Record<string, number>;
      requests: Record<string, number>;
    };
  return { sb, get, faults, state };
}

type Events = { events: { id: string; order: { checkoutForm: { id: string } } }[] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Allegro sandbox rate limit', () => {
  it('allows `limit` requests per window per client id, then 429 and a block that every request sent during it lengthens', async () => {
    // reference/README.md "Limits", Correction: allegro-api #3454, #3588, #6754.
    const { sb, get, state } = await open({
      extra: { rateLimit: { limit: 5, windowMs: 1500, blockMs: 2000 } },
    });
    for (let i = 0; i < 5; i++) expect((await get('/me')).status).toBe(200);
    const over = await get('/me');
    const breachAt = performance.now();
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ errors: [{ code: 'TooManyRequestsException' }] });
    expect(Number(over.headers.get('retry-after'))).toBe(2);
    await sleep(800);
    // A request during the block: refused, and the block now ends 2.2 s after it (3 s in).
    const during = await get('/order/checkout-forms?limit=1');
    expect(during.status).toBe(429);
    expect(Number(during.headers.get('retry-after'))).toBe(3);
    await sleep(Math.max(0, breachAt + 2300 - performance.now()));
    // Past the first block's end, still blocked — and longer again (2.4 s after this request).
    const later = await get('/me');
    expect(later.status).toBe(429);
    const s = await state();
    expect(s.breaches).toBe(3);
    expect(s.breachesByKey[sb.credentials.clientId ?? '']).toBe(3);
    await sleep(Math.max(0, breachAt + 2300 + 2500 - performance.now()));
    expect((await get('/me')).status).toBe(200);
    expect((await state()).breaches).toBe(3);
  });

  it('ends the block on time for a client that stops sending', async () => {
    const { get } = await open({ extra: { rateLimit: { limit: 2, windowMs: 1000, blockMs: 1200 } } });
    expect((await get('/me')).status).toBe(200);
    expect((await get('/me')).status).toBe(200);
    expect((await get('/me')).status).toBe(429);
    await sleep(1300);
    expect((await get('/me')).status).toBe(200);
  });

  it('is off when rateLimit is false and adjustable at run time', async () => {
    const { sb, get, state } = await open({
      rateLimit: false,
      extra: { rateLimit: { limit: 1, windowMs: 60_000 } },
    });
    for (let i = 0; i < 5; i++) expect((await get('/me')).status).toBe(200);
    expect((await state()).breaches).toBe(0);
    const res = await fetch(`${sb.controlUrl}/rate-limit`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"limit":2}',
    });
    expect(await res.json()).toMatchObject({ limit: 2 });
  });
});

describe('Allegro sandbox fault switches', () => {
  it('answers 5xx in Allegro’s error shape when set at start, and stops when switched off', async () => {
    // Limited to the order routes, so the consent flow in open() still gets its token.
    const { get, faults, state } = await open({
      faults: { errorRate: 1, errorStatus: 500, routes: ['/order/'] },
    });
    const res = await get('/order/checkout-forms');
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({
      errors: [
        {
          code: 'InternalServerErrorException',
          message: expect.any(String),
          userMessage: expect.any(String),
        },
      ],
    });
    expect((await faults({ errorRate: 0 })).status).toBe(200);
    expect((await get('/order/checkout-forms')).status).toBe(200);
    expect((await state()).requests['GET /order/checkout-forms']).toBe(2);
  });

  it('makes a partial 5xx rate deterministic for a seed', async () => {
    const run = async () => {
      const { get } = await open({ faults: { errorRate: 0.5, routes: ['/me'] } });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await get('/me')).status);
      return statuses;
    };
    const a = await run();
    expect(new Set(a)).toEqual(new Set([200, 503]));
    expect(await run()).toEqual(a);
  });

  it('sends 429 bursts, then recovers', async () => {
    const { get, faults } = await open();
    await faults({ burst429: 2 });
    expect((await get('/me')).status).toBe(429);
    expect((await get('/me')).status).toBe(429);
    expect((await get('/me')).status).toBe(200);
  });

  it('adds latency and hangs chosen routes', async () => {
    const { get, faults } = await open();
    await faults({ latencyMs: 250 });
    const t0 = performance.now();
    expect((await get('/me')).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
    await faults({ latencyMs: 0, hangRate: 1, routes: ['/order/events'] });
    await expect(get('/order/events', { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect((await get('/order/checkout-forms?limit=1')).status).toBe(200);
  });

  it('revokes every token on the Nth request after revokeAfter is set', async () => {
    const { sb, get, faults } = await open();
    await faults({ revokeAfter: 3 });
    expect((await get('/me')).status).toBe(200);
    expect((await get('/me')).status).toBe(200);
    const revoked = await get('/me');
    expect(revoked).toMatchObject({
      status: 401,
      body: {
        error: 'invalid_token',
        error_description: expect.stringMatching(/^Access token has been revoked: /),
      },
    });
    expect((await get('/me')).status).toBe(401);
    const fresh = apiHeaders((await obtainTokens({ sandbox: sb })).access_token);
    expect((await fetch(`${sb.url}/me`, { headers: fresh })).status).toBe(200);
    expect(
      ((await (await fetch(`${sb.controlUrl}/faults`)).json()) as { revokeAfter: number }).revokeAfter,
    ).toBe(0);
  });

  it('refuses invalid switches at start and at run time', async () => {
    await expect(startSandbox({ faults: { errorRate: 2 } })).rejects.toThrow(/Invalid sandbox faults/);
    await expect(startSandbox({ faults: { nope: true } })).rejects.toThrow(/Invalid sandbox faults/);
    const { faults } = await open();
    const res = await faults({ duplicateEvents: -1 });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: 'SANDBOX_INVALID_FAULTS', issues: [{ path: '/duplicateEvents' }] },
    });
  });
});

describe('Allegro sandbox event-log faults', () => {
  const allEvents = async (get: (p: string) => Promise<{ body: Record<string, unknown> | null }>) => {
    const out: Events['events'] = [];
    for (let from = ''; ;) {
      const page = (await get(`/order/events?limit=1000${from ? `&from=${from}` : ''}`)).body as Events;
      if (page.events.length === 0) return out;
      out.push(...page.events);
      from = page.events.reduce((max, e) => (BigInt(e.id) > BigInt(max) ? e.id : max), '0');
    }
  };

  it('repeats events and delivers them out of order, deterministically, without losing any', async () => {
    const clean = await open();
    const baseline = (await allEvents(clean.get)).map((e) => e.id);
    const faulty = await open({ faults: { duplicateEvents: 0.2, outOfOrderEvents: 0.2 } });
    const seen = (await allEvents(faulty.get)).map((e) => e.id);
    expect(seen.length).toBeGreaterThan(baseline.length); // duplicates
    expect(new Set(seen)).toEqual(new Set(baseline));
    expect(seen.some((id, i) => i > 0 && BigInt(id) < BigInt(seen[i - 1] ?? '0'))).toBe(true); // out of order
    expect((await allEvents(faulty.get)).map((e) => e.id)).toEqual(seen);
  });

  it('loses some orders’ events entirely; only the checkout-forms sweep finds them', async () => {
    const { get, faults } = await open();
    await faults({ missingEvents: 0.1 });
    const inEvents = new Set((await allEvents(get)).map((e) => e.order.checkoutForm.id));
    const swept: string[] = [];
    for (let offset = 0; offset < 200; offset += 100) {
      const page = (await get(`/order/checkout-forms?limit=100&offset=${offset}`)).body as {
        checkoutForms: { id: string }[];
      };
      swept.push(...page.checkoutForms.map((f) => f.id));
    }
    const missing = swept.filter((id) => !inEvents.has(id));
    expect(missing.length).toBeGreaterThan(5);
    expect(missing.length).toBeLessThan(40);
    expect(inEvents.size + missing.length).toBe(200);
    await faults({ missingEvents: 0 });
    expect(new Set((await allEvents(get)).map((e) => e.order.checkoutForm.id)).size).toBe(200);
  });

  it('merges recent orders at start and more at run time: old ids 404, replacements come with events', async () => {
    const { get, faults } = await open({ faults: { mergedOrders: 2 } });
    const events = await allEvents(get);
    const listed = new Set(
      (
        (await get('/order/checkout-forms?limit=100')).body as { checkoutForms: { id: string }[] }
      ).checkoutForms.map((f) => f.id),
    );
    const eventIds = [...new Set(events.map((e) => e.order.checkoutForm.id))];
    const gone: string[] = [];
    for (const id of eventIds) {
      if ((await get(`/order/checkout-forms/${id}`)).status === 404) gone.push(id);
    }
    expect(gone).toHaveLength(2);
    expect(gone.some((id) => listed.has(id))).toBe(false);
    expect(((await get('/order/checkout-forms?limit=1')).body as { totalCount: number }).totalCount).toBe(
      200,
    );

    await faults({ mergedOrders: 3 });
    const after = await allEvents(get);
    const replacement = after.at(-1)?.order.checkoutForm.id ?? '';
    expect(eventIds).not.toContain(replacement);
    expect((await get(`/order/checkout-forms/${replacement}`)).status).toBe(200);
    let missing = 0;
    for (const id of eventIds) if ((await get(`/order/checkout-forms/${id}`)).status === 404) missing++;
    expect(missing).toBe(3);
  });
});
