/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- these tests read untyped JSON off the wire */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startSandbox } from '../sandbox/index.ts';
import { emagCaller, type EmagCaller } from '../sandbox/client.ts';
import { CUSTOMER_REASONS } from '../sandbox/buyer-cancel.ts';
import { eventually } from './support.ts';

// Demo mode's timers (new returns, customers' cancellations), each off unless asked for, the
// control route a customer cancels through, and cancelling any demo order never answering a 5xx.
type Json = Record<string, any>;

const running: RunningSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(extra: Record<string, unknown> = {}, orders = 200) {
  const sb = await startSandbox({ orders, seed: 'demo-timers', rateLimit: false, extra });
  running.push(sb);
  const ro = emagCaller({ url: sb.url, ...(sb.credentials as { username: string; password: string }) });
  const state = async () => (await (await fetch(`${sb.controlUrl}/state`)).json()) as Json;
  const effects = async (kind: string) => ((await state()).effects as Json[]).filter((e) => e.kind === kind);
  const order = async (id: number) =>
    (await (await fetch(`${sb.controlUrl}/orders/ro-main/${id}`)).json()) as Json;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${sb.controlUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  return { sb, ro, state, effects, order, post };
}

async function allOrders(ro: EmagCaller): Promise<Json[]> {
  const out: Json[] = [];
  for (let page = 1; ; page++) {
    const list = (await ro.call('order/read', { currentPage: page, itemsPerPage: 100 })).body
      .results as Json[];
    out.push(...list);
    if (list.length < 100) return out;
  }
}

describe('demo timers', () => {
  it('are all off by default', async () => {
    const { effects } = await start();
    await sleep(300);
    for (const kind of ['order.placed', 'rma.opened', 'order.cancelled_by_customer'])
      expect(await effects(kind)).toEqual([]);
  });

  it('newReturnsEveryMs: customers keep opening new returns on delivered orders, and nothing else happens', async () => {
    const { ro, effects, order } = await start({ newReturnsEveryMs: 40 });
    const opened = await eventually(async () => {
      const list = await effects('rma.opened');
      return list.length >= 3 ? list : undefined;
    });
    expect(await effects('order.placed')).toEqual([]);
    const orderIds = new Set<string>();
    for (const e of opened.slice(0, 3)) {
      const rma = ((await ro.call('rma/read', { emag_id: Number(e.target) })).body.results as Json[])[0]!;
      expect(rma.request_status).toBe(2);
      expect((await order(rma.order_id)).status).toBe(4);
      orderIds.add(String(rma.order_id));
    }
    // Each on another order: a delivered order with a return open is not picked again.
    expect(orderIds.size).toBe(3);
  });

  it('buyerCancelEveryMs: customers cancel new orders, newest first, then orders read directly as cancelled', async () => {
    // The seeded new orders, listed on a sandbox of the same seed without the timer.
    const plain = await start();
    const news = (await allOrders(plain.ro)).filter((o) => o.status === 1);
    const { ro, effects, order } = await start({ buyerCancelEveryMs: 30 });
    expect(news.length, 'seeded new orders').toBeGreaterThan(0);
    const cancels = await eventually(async () => {
      const list = await effects('order.cancelled_by_customer');
      return list.length >= news.length + 2 ? list : undefined;
    });
    // The seeded new orders first, newest first (order/read lists newest first).
    expect(cancels.slice(0, news.length).map((e) => Number(e.target))).toEqual(news.map((o) => o.id));
    // Then none is left to cancel: an order is placed and cancelled before it could be acknowledged.
    const placed = new Set((await effects('order.placed')).map((e) => e.target));
    expect(cancels.slice(news.length).every((e) => placed.has(e.target))).toBe(true);
    for (const [n, e] of cancels.entries()) {
      expect(e.data).toEqual({ from: 1, reason: CUSTOMER_REASONS[n % CUSTOMER_REASONS.length] });
      const read = await order(Number(e.target));
      expect(read).toMatchObject({ status: 0, reason_cancellation: e.data.reason });
    }
    // No order the seller acknowledged was touched.
    const after = await allOrders(ro);
    const cancelled = new Set(cancels.map((e) => Number(e.target)));
    expect(after.filter((o) => o.status === 0 && cancelled.has(o.id)).length).toBe(cancels.length);
    expect(after.some((o) => o.status === 1)).toBe(false);
  });

  it('place new orders only with newOrdersEveryMs, no longer opening returns with them', async () => {
    const { effects } = await start({ newOrdersEveryMs: 20 });
    await eventually(async () => ((await effects('order.placed')).length >= 6 ? true : undefined));
    expect(await effects('rma.opened')).toEqual([]);
    expect(await effects('order.cancelled_by_customer')).toEqual([]);
  });
});

describe('POST /__sandbox/cancellations', () => {
  it('cancels a new order as its customer asked; an acknowledged order, an unknown reason or order are refused', async () => {
    const { ro, effects, order, post } = await start();
    const placed = await post('/orders', { count: 2 });
    const [fresh, other] = (placed.body.orders as number[]).map((id) => ({ id }));

    const done = await post('/cancellations', { orderId: fresh!.id, reason: 24 });
    expect(done).toEqual({
      status: 201,
      body: { account: 'ro-main', orderId: fresh!.id, reason: 24, placed: false },
    });
    expect(await order(fresh!.id)).toMatchObject({ status: 0, reason_cancellation: 24 });

    // Acknowledged by the seller: only the seller may cancel it now (order/save), eMAG's rule in words.
    expect((await ro.call(`order/acknowledge/${other!.id}`)).body.isError).toBe(false);
    const late = await post('/cancellations', { orderId: other!.id });
    expect(late.status).toBe(422);
    expect(late.body.error.message).toMatch(/status 2, not new \(1\).*not acknowledged/);
    const badReason = await post('/cancellations', { orderId: other!.id, reason: 10 });
    expect(badReason.status).toBe(422);
    expect(badReason.body.error.message).toMatch(/10 is not a reason_cancellation/);
    expect((await post('/cancellations', { orderId: 1 })).status).toBe(404);
    expect((await post('/cancellations', { account: 'xx-main' })).status).toBe(404);
    expect((await post('/cancellations', { orderId: 'x' })).status).toBe(400);
    expect(await order(other!.id)).toMatchObject({ status: 2 });
    expect((await effects('order.cancelled_by_customer')).map((e) => Number(e.target))).toEqual([fresh!.id]);
    // Without an order: the newest new one, else one placed and cancelled at once.
    const any = await post('/cancellations', {});
    expect(any.status).toBe(201);
    expect(any.body.reason).toBe(CUSTOMER_REASONS[1]);
    expect(await order(any.body.orderId)).toMatchObject({
      status: 0,
      reason_cancellation: CUSTOMER_REASONS[1],
    });
    expect((await effects('order.placed')).some((e) => Number(e.target) === any.body.orderId)).toBe(
      any.body.placed,
    );
  });
});

describe('the seller cancelling any demo order', () => {
  it("answers eMAG's envelope, never a 5xx: done where the status matrix allows it, else refused with the rule in words", async () => {
    // As the demo starts it: 200 orders per account, dated up to now.
    const { ro, effects } = await start({}, 200);
    const orders = await allOrders(ro);
    const outcomes = new Map<number, { allowed: number; refused: number }>();
    for (const o of orders) {
      // The plugin's cancel-order: the whole order as read, status 0 and a reason, as JSON.
      const res = await ro.call('order/save', [{ ...o, status: 0, reason_cancellation: 2 }], {
        encoding: 'json',
      });
      expect(res.status, res.text).toBe(200);
      const count = outcomes.get(o.status) ?? { allowed: 0, refused: 0 };
      outcomes.set(o.status, count);
      if (res.body.isError === false) {
        count.allowed++;
        expect([0, 2, 3, 4]).toContain(o.status);
        continue;
      }
      count.refused++;
      expect(res.body.isError, res.text).toBe(true);
      const message = res.body.messages![0]!;
      if (o.status === 4)
        expect(message).toBe(
          `Order ${o.id}: The order status can be changed from status 4 (finalized) to 0 (canceled) only within 48 hours`,
        );
      else
        expect(message).toBe(
          `Order ${o.id}: The order status cannot be changed from status ${o.status} (${o.status === 1 ? 'new' : 'returned'}) to 0 (canceled)`,
        );
    }
    // In progress and prepared orders are always cancellable; returned and new ones never are.
    expect(outcomes.get(2)?.refused ?? 0).toBe(0);
    expect(outcomes.get(3)?.refused ?? 0).toBe(0);
    expect(outcomes.get(5)?.allowed ?? 0).toBe(0);
    expect(outcomes.get(4)!.refused).toBeGreaterThan(0);
    const cancelled =
      (outcomes.get(2)?.allowed ?? 0) + (outcomes.get(3)?.allowed ?? 0) + (outcomes.get(4)?.allowed ?? 0);
    expect(cancelled).toBeGreaterThan(0);
    expect(await effects('order.cancelled')).toHaveLength(cancelled);
  });
});
