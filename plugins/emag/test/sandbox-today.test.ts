/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- these tests read untyped JSON off the wire */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startSandbox } from '../sandbox/index.ts';
import { emagCaller } from '../sandbox/client.ts';

/**
 * eMAG as it is today (reference README "eMAG" and its Correction lines): no order-level currency,
 * Bulgaria's euro and Romania's VAT by date, numbers and nulls where the doc shows strings, reads
 * newest first, Fashion Days' own hosts, the ready line's `url` usable as the API base as printed,
 * errors as HTTP 200 `isError:true` and 429 with the documented headers.
 */
type Order = Record<string, any>;
const basic = (account: string) =>
  `Basic ${Buffer.from(`${account}@sandbox.emag:sandbox-${account}`).toString('base64')}`;

async function allOf(url: string, account: string): Promise<Order[]> {
  const [platform] = account.split('-');
  const c = emagCaller({
    url,
    ...(platform ? { platform } : {}),
    username: `${account}@sandbox.emag`,
    password: `sandbox-${account}`,
  });
  const out: Order[] = [];
  for (let page = 1; ; page++) {
    const rows = (await c.call('order/read', { currentPage: page, itemsPerPage: 100 })).body
      .results as Order[];
    out.push(...rows);
    if (rows.length < 100) return out;
  }
}

/** A POST with an explicit Host header (fetch will not set one), as a hosts-file entry would send it. */
function postAs(
  url: string,
  host: string,
  path: string,
  authorization: string,
): Promise<{ status: number; body: any }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: 'POST',
        path,
        headers: { host, authorization, 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ data: { itemsPerPage: 5 } }));
  });
}

describe('currency and VAT by date', () => {
  let sb: RunningSandbox;
  beforeAll(async () => {
    // 90 days of history up to 2026-01-20: Bulgaria's orders straddle the euro changeover.
    sb = await startSandbox({
      orders: 300,
      seed: 'today',
      rateLimit: false,
      extra: { now: '2026-01-20T12:00:00Z' },
    });
  });
  afterAll(() => sb?.close());

  it('states no order-level currency; Bulgarian lines are BGN before 2026-01-01 and EUR from then', async () => {
    const orders = await allOf(sb.url, 'bg-main');
    expect(orders.length).toBeGreaterThan(100);
    const seen = new Set<string>();
    let withoutCurrency = 0;
    for (const o of orders) {
      expect(o).not.toHaveProperty('currency');
      const want = o.date >= '2026-01-01 00:00:00' ? 'EUR' : 'BGN';
      for (const p of o.products) {
        if (p.currency === undefined) withoutCurrency++;
        else {
          expect(p.currency, `${o.id} ${o.date}`).toBe(want);
          seen.add(p.currency);
        }
      }
    }
    expect([...seen].sort()).toEqual(['BGN', 'EUR']);
    // products[].currency is optional (API doc 5.1.1): some orders leave it out.
    expect(withoutCurrency).toBeGreaterThan(0);
  });

  it("applies Romania's 21 % / 11 % from 2025-08-01 and 19 / 9 / 5 % before", async () => {
    const summer = await startSandbox({
      orders: 300,
      seed: 'today',
      rateLimit: false,
      extra: { now: '2025-08-25T12:00:00Z' },
    });
    try {
      const orders = await allOf(summer.url, 'ro-main');
      const before = new Set<string>();
      const after = new Set<string>();
      for (const o of orders)
        for (const p of o.products) (o.date >= '2025-08-01 00:00:00' ? after : before).add(p.vat);
      expect([...after].sort()).toEqual(['0.1100', '0.2100']);
      expect(['0.0500', '0.0900', '0.1900']).toEqual(expect.arrayContaining([...before]));
      expect(before.has('0.1900')).toBe(true);
    } finally {
      await summer.close();
    }
  });
});

describe('the wire as it is', () => {
  let sb: RunningSandbox;
  beforeAll(async () => {
    sb = await startSandbox({
      orders: 500,
      seed: 'wire',
      rateLimit: false,
      extra: { now: '2026-11-20T12:00:00Z' },
    });
  });
  afterAll(() => sb?.close());

  it('writes numbers and nulls where the doc shows strings, ids above 2^31', async () => {
    const orders = await allOf(sb.url, 'ro-main');
    const numeric = orders.filter((o) => typeof o.shipping_tax === 'number');
    const strings = orders.filter((o) => typeof o.shipping_tax === 'string');
    expect(numeric.length).toBeGreaterThan(50);
    expect(strings.length).toBeGreaterThan(50);
    expect(numeric.some((o) => o.cashed_co === null)).toBe(true);
    expect(numeric.some((o) => typeof o.products[0].sale_price === 'number')).toBe(true);
    expect(numeric.some((o) => typeof o.products[0].product_id === 'string')).toBe(true);
    expect(orders.every((o) => typeof o.id === 'number' && o.id > 2 ** 31)).toBe(true);
  });

  it('reads newest first', async () => {
    const orders = await allOf(sb.url, 'ro-main');
    for (let i = 1; i < orders.length; i++) {
      expect(orders[i]!.date <= orders[i - 1]!.date).toBe(true);
      expect(orders[i]!.id).toBeLessThan(orders[i - 1]!.id);
    }
  });

  it('answers at the ready line url as printed, the credentials choosing the platform', async () => {
    for (const base of [sb.url, `${sb.url}/api-3`]) {
      const ro = await fetch(`${base}/order/read`, {
        method: 'POST',
        headers: { authorization: basic('ro-main'), 'content-type': 'application/json' },
        body: JSON.stringify({ data: { itemsPerPage: 3 } }),
      });
      expect(ro.status).toBe(200);
      const roBody = (await ro.json()) as Order;
      expect(roBody.isError).toBe(false);
      const hu = (await (
        await fetch(`${base}/order/read`, {
          method: 'POST',
          headers: { authorization: basic('hu-main'), 'content-type': 'application/json' },
          body: JSON.stringify({ data: { itemsPerPage: 3 } }),
        })
      ).json()) as Order;
      expect(hu.results[0].products[0].vat).toMatch(/^0\.(2700|1800|0500)$/);
      expect(hu.results[0].id).not.toBe(roBody.results[0].id);
    }
    const wrong = await fetch(`${sb.url}/order/read`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('nobody:nothing').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
  });

  it("serves Fashion Days' own hosts, to Fashion Days accounts only", async () => {
    const fd = await postAs(
      sb.url,
      'marketplace-ro-api.fashiondays.com',
      '/api-3/order/read',
      basic('fdro-main'),
    );
    expect(fd.status).toBe(200);
    expect(fd.body.isError).toBe(false);
    const direct = (await allOf(sb.url, 'fdro-main')).slice(0, 5);
    expect(fd.body.results.map((o: Order) => o.id)).toEqual(direct.map((o) => o.id));
    const bg = await postAs(
      sb.url,
      'marketplace-bg-api.fashiondays.com',
      '/api-3/order/read',
      basic('fdbg-main'),
    );
    expect(bg.body.isError).toBe(false);
    // An eMAG Romania account is not a Fashion Days one: refused there as on the real host.
    const emagOnFd = await postAs(
      sb.url,
      'marketplace-ro-api.fashiondays.com',
      '/api-3/order/read',
      basic('ro-main'),
    );
    expect(emagOnFd.status).toBe(401);
    const emag = await postAs(sb.url, 'marketplace-api.emag.ro', '/api-3/order/read', basic('ro-main'));
    expect(emag.body.isError).toBe(false);
  });

  it('answers refusals as HTTP 200 isError:true and the limit as 429 with the X-RateLimit-*-3second headers', async () => {
    const limited = await startSandbox({ orders: 50, seed: 'wire' });
    try {
      await refusalsAndLimits(limited);
    } finally {
      await limited.close();
    }
  });
});

/** Errors come as HTTP 200 isError:true (API doc 1.4); over the limit, 429 as API doc 1.5 shows it. */
async function refusalsAndLimits(sb: RunningSandbox): Promise<void> {
  const c = emagCaller({
    url: sb.url,
    platform: 'ro',
    username: 'ro-main@sandbox.emag',
    password: 'sandbox-ro-main',
  });
  const refused = await c.call('order/read', { itemsPerPage: 500 });
  expect(refused.status).toBe(200);
  expect(refused.body).toMatchObject({ isError: true, results: [] });
  expect(refused.headers.get('x-ratelimit-limit-3second')).toBe('36');
  // `other` resources: 3 req/s; a burst of 10 meets the 429.
  const burst = await Promise.all(Array.from({ length: 10 }, () => c.call('rma/count')));
  const limited = burst.filter((r) => r.status === 429);
  expect(limited.length).toBeGreaterThan(0);
  expect(limited[0]!.body).toEqual({ message: 'API rate limit exceeded' });
  expect(limited[0]!.headers.get('x-ratelimit-limit-3second')).toBe('9');
  expect(limited[0]!.headers.get('x-ratelimit-remaining-3second')).toBe('0');
}
