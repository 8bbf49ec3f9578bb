import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startSandbox } from '../sandbox/index.ts';
import { emagCaller, type EmagCaller } from '../sandbox/client.ts';

// Fault switches, at start (options.faults) and at run time (PUT /__sandbox/faults).
let sb: RunningSandbox;
let ro: EmagCaller;

beforeAll(async () => {
  sb = await startSandbox({ orders: 100, seed: 'faults', rateLimit: false });
  ro = emagCaller({ url: sb.url, ...(sb.credentials as { username: string; password: string }) });
});
afterAll(() => sb.close());
beforeEach(async () => {
  await fetch(`${sb.controlUrl}/reset`, { method: 'POST' });
});

const putFaults = (faults: Record<string, unknown>) =>
  fetch(`${sb.controlUrl}/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });

describe('fault switches', () => {
  it('answers every request with a 5xx at errorRate 1, and none at 0', async () => {
    await putFaults({ errorRate: 1, errorStatus: 502 });
    const res = await fetch(`${sb.url}/ro/api-3/order/read`, { method: 'POST' });
    expect(res.status).toBe(502);
    await putFaults({ errorRate: 0 });
    expect((await ro.call('order/read')).status).toBe(200);
  });

  it('fails about the requested share of requests at errorRate 0.5', async () => {
    await putFaults({ errorRate: 0.5 });
    const statuses = await Promise.all(
      Array.from({ length: 60 }, async () => (await ro.call('order/count')).status),
    );
    const failed = statuses.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(15);
    expect(failed).toBeLessThan(45);
  });

  it('sends a burst of 429s with the eMAG body, then recovers', async () => {
    await putFaults({ burst429: 2 });
    const a = await ro.call('order/read');
    const b = await ro.call('order/read');
    const c = await ro.call('order/read');
    expect([a.status, b.status, c.status]).toEqual([429, 429, 200]);
    expect(a.body).toEqual({ message: 'API rate limit exceeded' });
    expect(a.headers.get('x-ratelimit-remaining-3second')).toBe('0');
  });

  it('adds latency', async () => {
    await putFaults({ latencyMs: 250 });
    const started = performance.now();
    await ro.call('order/count');
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('hangs requests until the client gives up', async () => {
    await putFaults({ hangRate: 1 });
    await expect(ro.call('order/count', {}, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    await putFaults({ hangRate: 0 });
    expect((await ro.call('order/count')).status).toBe(200);
  });

  it('refuses unknown switches and keeps the old ones', async () => {
    const res = await putFaults({ nonsense: true });
    expect(res.status).toBe(400);
    const faults = (await (await fetch(`${sb.controlUrl}/faults`)).json()) as Record<string, unknown>;
    expect(faults).toMatchObject({ errorRate: 0, ipNotWhitelisted: false });
  });

  it('takes switches at start, and reset restores them', async () => {
    const faulty = await startSandbox({ orders: 10, faults: { ipNotWhitelisted: true, burst429: 1 } });
    try {
      const c = emagCaller({
        url: faulty.url,
        ...(faulty.credentials as { username: string; password: string }),
      });
      expect((await c.call('order/read')).status).toBe(429);
      expect((await c.call('order/read')).body.messages?.[0]).toMatch(/Invalid vendor ip/);
      await fetch(`${faulty.controlUrl}/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ipNotWhitelisted: false }),
      });
      expect((await c.call('order/read')).body.isError).toBe(false);
      await fetch(`${faulty.controlUrl}/reset`, { method: 'POST' });
      expect((await c.call('order/read')).status).toBe(429);
    } finally {
      await faulty.close();
    }
  });
});
