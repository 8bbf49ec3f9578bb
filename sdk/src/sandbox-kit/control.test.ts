import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerControlRoutes } from './control.ts';
import { registerFaultHook } from './fault-hook.ts';
import { baseFaultsSchema, createFaultState } from './faults.ts';
import { createLedger, registerRequestCounter } from './ledger.ts';
import { listen } from './listen.ts';

const schema = baseFaultsSchema.extend({ duplicateEvents: z.boolean().default(false) });
let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(initial: unknown = {}) {
  app = Fastify();
  const ledger = createLedger();
  const faults = createFaultState({ schema, initial, seed: 's' });
  let resets = 0;
  registerRequestCounter(app, { ledger });
  registerFaultHook(app, { faults, errorBody: (status) => ({ status, fault: true }) });
  registerControlRoutes(app, { ledger, faults, state: () => ({ resets }), onReset: () => resets++ });
  app.get('/items/:id', async (request) => {
    ledger.record({ kind: 'item.read', target: (request.params as { id: string }).id });
    return { ok: true };
  });
  const url = await listen(app, {});
  const json = async (path: string, init?: RequestInit) => {
    const res = await fetch(url + path, init);
    return {
      status: res.status,
      body: res.status === 204 ? null : ((await res.json()) as Record<string, unknown>),
    };
  };
  return { url, json, faults };
}

const put = (body: unknown): RequestInit => ({
  method: 'PUT',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('control routes, counters and fault hook over HTTP', () => {
  it('counts requests per route pattern and lists effects', async () => {
    const { json } = await start();
    await json('/items/1');
    await json('/items/2');
    await json('/nope');
    const { body } = await json('/__sandbox/state');
    expect(body?.requests).toEqual({ 'GET /items/:id': 2, 'GET *': 1 });
    expect(body?.breaches).toBe(0);
    expect((body?.effects as { kind: string; target: string }[]).map((e) => e.target)).toEqual(['1', '2']);
  });

  it('validates fault updates, applies 429 bursts and 5xx, and resets', async () => {
    const { json } = await start({ duplicateEvents: true });
    const bad = await json('/__sandbox/faults', put({ errorRate: 3, nope: 1 }));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'SANDBOX_INVALID_FAULTS' } });
    expect((await json('/__sandbox/faults')).body).toMatchObject({ errorRate: 0, duplicateEvents: true });

    expect((await json('/__sandbox/faults', put({ burst429: 2 }))).body).toMatchObject({ burst429: 2 });
    expect((await json('/items/1')).status).toBe(429);
    expect((await json('/items/1')).status).toBe(429);
    expect((await json('/items/1')).status).toBe(200);

    await json('/__sandbox/faults', put({ errorRate: 1, errorStatus: 502 }));
    expect(await json('/items/1')).toEqual({ status: 502, body: { status: 502, fault: true } });
    expect((await json('/__sandbox/state')).status).toBe(200); // control endpoint never faulted

    expect((await json('/__sandbox/reset', { method: 'POST' })).status).toBe(204);
    const state = (await json('/__sandbox/state')).body;
    expect(state).toMatchObject({
      requests: {},
      effects: [],
      resets: 1,
      faults: { errorRate: 0, duplicateEvents: true },
    });
    expect((await json('/items/1')).status).toBe(200);
  });

  it('answers a share of requests 429 at random, with the Retry-After asked for', async () => {
    const { url, json } = await start({ rate429: 0.25, retryAfter429: 0 });
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) {
      const res = await fetch(`${url}/items/${i}`);
      if (res.status === 429) expect(res.headers.get('retry-after')).toBe('0');
      statuses.push(res.status);
      await res.body?.cancel();
    }
    const limited = statuses.filter((s) => s === 429).length;
    expect(limited).toBeGreaterThan(25);
    expect(limited).toBeLessThan(75);
    expect(statuses.filter((s) => s !== 429).every((s) => s === 200)).toBe(true);
    await json('/__sandbox/faults', put({ rate429: 0 }));
    expect((await json('/items/1')).status).toBe(200);
  });

  it('limits faults to the listed route prefixes, adds latency, and hangs until close', async () => {
    const { json, url } = await start({ errorRate: 1, routes: ['/other'] });
    expect((await json('/items/1')).status).toBe(200);
    await json('/__sandbox/faults', put({ errorRate: 0, routes: [], latencyMs: 150 }));
    const t0 = performance.now();
    await json('/items/1');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);

    await json('/__sandbox/faults', put({ latencyMs: 0, hangRate: 1 }));
    const outcome = await Promise.race([
      fetch(`${url}/items/1`, { signal: AbortSignal.timeout(300) }).then(
        () => 'answered',
        () => 'timed out',
      ),
      new Promise((r) => setTimeout(() => r('still hanging'), 1000)),
    ]);
    expect(outcome).toBe('timed out');
    const hanging = fetch(`${url}/items/2`).catch(() => 'socket closed');
    await new Promise((r) => setTimeout(r, 50));
    const t1 = performance.now();
    await app?.close(); // must not wait for the hung request
    app = undefined;
    expect(performance.now() - t1).toBeLessThan(2000);
    expect(await hanging).toBe('socket closed');
  });

  it('refuses invalid initial faults', () => {
    expect(() => createFaultState({ schema, initial: { hangRate: -1 } })).toThrow(/Invalid sandbox faults/);
  });
});
