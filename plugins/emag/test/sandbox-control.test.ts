/* eslint-disable @typescript-eslint/no-explicit-any -- these tests read untyped JSON off the wire */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startSandbox } from '../sandbox/index.ts';
import { emagCaller, type EmagCaller } from '../sandbox/client.ts';

// New orders while running, the new-order callback (GET <url>?order_id=N), and the ledger.
let sb: RunningSandbox;
let ro: EmagCaller;
let seller: FastifyInstance;
let sellerUrl = '';
const notified: Record<string, string>[] = [];
type Order = Record<string, any>;

beforeAll(async () => {
  seller = Fastify();
  seller.get('/emag/callback', async (request) => {
    notified.push(request.query as Record<string, string>);
    return 'OK';
  });
  sellerUrl = await seller.listen({ port: 0, host: '127.0.0.1' });
  sb = await startSandbox({
    orders: 50,
    seed: 'control',
    rateLimit: false,
    extra: { callbackUrl: `${sellerUrl}/emag/callback?shop=7` },
  });
  ro = emagCaller({ url: sb.url, ...(sb.credentials as { username: string; password: string }) });
});
afterAll(async () => {
  await sb.close();
  await seller.close();
});
beforeEach(async () => {
  notified.length = 0;
  await fetch(`${sb.controlUrl}/reset`, { method: 'POST' });
});

/** Polls until `check` holds (timers under a loaded machine are late, never early). */
async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const state = async () => (await (await fetch(`${sb.controlUrl}/state`)).json()) as Record<string, any>;
const addOrders = async (body: Record<string, unknown>) => {
  const res = await fetch(`${sb.controlUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

describe('new orders and the callback', () => {
  it('adds new orders that order/read shows with status 1, and notifies the callback URL', async () => {
    const added = await addOrders({ count: 2 });
    expect(added.status).toBe(201);
    const ids = added.body.orders as number[];
    expect(ids).toHaveLength(2);
    expect(notified).toEqual([
      { shop: '7', order_id: String(ids[0]) },
      { shop: '7', order_id: String(ids[1]) },
    ]);
    const fresh = (await ro.call('order/read', { status: 1, itemsPerPage: 100 })).body.results as Order[];
    const mine = fresh.filter((o) => ids.includes(o.id));
    expect(mine).toHaveLength(2);
    expect(mine[0]!.products.length).toBeGreaterThan(0);
    const count = (await ro.call('order/count')).body.results as Record<string, string>;
    expect(count.noOfItems).toBe('52');
    const s = await state();
    expect(s.effects.filter((e: Order) => e.kind === 'callback.sent')).toHaveLength(2);
    expect(s.accounts['ro-main']).toMatchObject({ orders: 52, added: 2 });
    // The new order goes through the normal flow.
    expect((await ro.call(`order/acknowledge/${ids[0]}`)).body.isError).toBe(false);
  });

  it('changes the callback URL at run time, and can switch it off', async () => {
    const set = await fetch(`${sb.controlUrl}/callback`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${sellerUrl}/emag/callback?shop=9` }),
    });
    expect(await set.json()).toEqual({ callbackUrl: `${sellerUrl}/emag/callback?shop=9` });
    await addOrders({ account: 'bg-main' });
    expect(notified).toHaveLength(1);
    expect(notified[0]!.shop).toBe('9');
    await fetch(`${sb.controlUrl}/callback`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: null }),
    });
    const quiet = await addOrders({});
    expect(quiet.body.callbacks).toEqual([]);
    expect(notified).toHaveLength(1);
  });

  it('records a failed callback', async () => {
    await fetch(`${sb.controlUrl}/callback`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:1/unreachable' }),
    });
    const added = await addOrders({});
    expect(added.body.callbacks[0].error).toBeTruthy();
    expect((await state()).effects.some((e: Order) => e.kind === 'callback.failed')).toBe(true);
  });

  it('refuses bad control input with coded errors', async () => {
    expect((await addOrders({ count: 0 })).status).toBe(400);
    const unknown = await addOrders({ account: 'pl-main' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('SANDBOX_NOT_FOUND');
  });
});

describe('timers', () => {
  it('notifies again until the order is acknowledged, when a retry interval is set', async () => {
    const calls: string[] = [];
    const hook = Fastify();
    hook.get('/cb', async (request) => {
      calls.push((request.query as Record<string, string>).order_id!);
      return 'OK';
    });
    const hookUrl = await hook.listen({ port: 0, host: '127.0.0.1' });
    const retrying = await startSandbox({
      orders: 5,
      rateLimit: false,
      extra: { callbackUrl: `${hookUrl}/cb`, callbackRetryMs: 100 },
    });
    try {
      const res = await fetch(`${retrying.controlUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      const id = ((await res.json()) as { orders: number[] }).orders[0]!;
      await eventually(() => calls.length >= 3);
      expect(new Set(calls)).toEqual(new Set([String(id)]));
      const c = emagCaller({
        url: retrying.url,
        ...(retrying.credentials as { username: string; password: string }),
      });
      await c.call(`order/acknowledge/${id}`);
      await new Promise((r) => setTimeout(r, 250));
      const settled = calls.length;
      await new Promise((r) => setTimeout(r, 400));
      expect(calls.length).toBe(settled);
    } finally {
      await retrying.close();
      await hook.close();
    }
  });

  it('places new orders on a timer in demo mode', async () => {
    const demo = await startSandbox({
      orders: 5,
      rateLimit: false,
      extra: { newOrdersEveryMs: 50, newOrdersAccount: 'hu-main' },
    });
    try {
      const read = async () =>
        (await (await fetch(`${demo.controlUrl}/state`)).json()) as Record<string, any>;
      await eventually(async () => (await read()).accounts['hu-main'].added >= 3);
      expect((await read()).accounts['ro-main'].added).toBe(0);
    } finally {
      await demo.close();
    }
  });
});

describe('the ledger', () => {
  it('counts requests per route and lists effects in order', async () => {
    await ro.call('order/read');
    await ro.call('order/read');
    await ro.call('rma/read');
    const s = await state();
    expect(s.requests['POST /:platform/api-3/order/read']).toBe(2);
    expect(s.requests['POST /:platform/api-3/rma/read']).toBe(1);
    expect(s.breaches).toBe(0);
  });

  it('serves one order without auth for inspection', async () => {
    const order = ((await ro.call('order/read', { itemsPerPage: 1 })).body.results as Order[])[0]!;
    const res = await fetch(`${sb.controlUrl}/orders/ro-main/${order.id}`);
    expect(await res.json()).toEqual(order);
    expect((await fetch(`${sb.controlUrl}/orders/ro-main/1`)).status).toBe(404);
  });
});
