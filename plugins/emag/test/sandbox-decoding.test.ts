/* eslint-disable @typescript-eslint/no-explicit-any -- these tests read untyped JSON off the wire */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startSandbox } from '../sandbox/index.ts';
import { emagCaller, type EmagCaller } from '../sandbox/client.ts';

// Request decoding (malformed JSON, the 4000 input-var limit, the legacy path) and lazy generation at 100 000 orders.
let sb: RunningSandbox;
let ro: EmagCaller;
type Order = Record<string, any>;

beforeAll(async () => {
  sb = await startSandbox({ orders: 2000, seed: 'decoding', rateLimit: false });
  ro = emagCaller({
    url: sb.url,
    platform: 'ro',
    ...(sb.credentials as { username: string; password: string }),
  });
});
afterAll(() => sb.close());

describe('request decoding', () => {
  it('answers malformed JSON and more than 4000 input vars as logical errors', async () => {
    const bad = await fetch(`${sb.url}/ro/api-3/order/read`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${sb.credentials.username}:${sb.credentials.password}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: '{"data": {',
    });
    expect(bad.status).toBe(200);
    expect(((await bad.json()) as Order).isError).toBe(true);
    const huge = await ro.call(
      'order/save',
      Array.from({ length: 1001 }, (_, i) => ({ id: i, type: 3, status: 2, x: 1 })),
    );
    expect(huge.body).toEqual({
      isError: true,
      messages: ['Maximum input vars of 4000 exceeded'],
      results: [],
    });
  });

  it('serves the bare /api-3 path to the account of the credentials', async () => {
    const res = await fetch(`${sb.url}/api-3/order/count`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${sb.credentials.username}:${sb.credentials.password}`).toString('base64')}`,
      },
    });
    expect(((await res.json()) as Order).results.noOfItems).toBe('2000');
  });
});

describe('a 100 000-order sandbox', () => {
  it('starts at once and computes any page on demand, the same whatever the access order', async () => {
    const started = performance.now();
    const big = await startSandbox({ orders: 100_000, seed: 'big', rateLimit: false });
    try {
      expect(performance.now() - started).toBeLessThan(2000);
      const c = emagCaller({ url: big.url, ...(big.credentials as { username: string; password: string }) });
      const last = (await c.call('order/read', { currentPage: 1000, itemsPerPage: 100 })).body
        .results as Order[];
      expect(last).toHaveLength(100);
      const first = (await c.call('order/read', { currentPage: 1, itemsPerPage: 100 })).body
        .results as Order[];
      // Newest first (API doc 5.3: "we expose the last 100 orders").
      expect(first[0]!.id).toBeGreaterThan(last[0]!.id);
      const again = (await c.call('order/read', { currentPage: 1000, itemsPerPage: 100 })).body
        .results as Order[];
      expect(again).toEqual(last);
      expect((await c.call('order/read', { currentPage: 1001 })).body.results).toEqual([]);
    } finally {
      await big.close();
    }
  });
});
