/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- these tests read untyped JSON off the wire */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startSandbox } from '../sandbox/index.ts';
import { emagCaller, type EmagCaller } from '../sandbox/client.ts';

// order/acknowledge and order/save: the status matrix, cancellation and the effect ledger.
let sb: RunningSandbox;
let ro: EmagCaller;
type Order = Record<string, any>;

beforeAll(async () => {
  sb = await startSandbox({ orders: 3000, seed: 'flow', rateLimit: false });
  ro = emagCaller({ url: sb.url, ...(sb.credentials as { username: string; password: string }) });
});
afterAll(() => sb.close());
beforeEach(async () => {
  await fetch(`${sb.controlUrl}/reset`, { method: 'POST' });
});

const state = async () => (await (await fetch(`${sb.controlUrl}/state`)).json()) as Record<string, any>;
const effects = async (kind: string) => ((await state()).effects as Order[]).filter((e) => e.kind === kind);
const firstWithStatus = async (status: number, extra: Record<string, unknown> = {}) =>
  ((await ro.call('order/read', { status, itemsPerPage: 100, ...extra })).body.results as Order[])[0]!;
const reread = async (id: number) => ((await ro.call('order/read', { id })).body.results as Order[])[0]!;
const save = (order: Record<string, unknown>) => ro.call('order/save', [order]);

describe('order/acknowledge', () => {
  it('moves a new order to in progress, recording the effect exactly once', async () => {
    const order = await firstWithStatus(1);
    const res = await ro.call(`order/acknowledge/${order.id}`);
    expect(res.body).toEqual({ isError: false, messages: [], results: [] });
    expect((await reread(order.id)).status).toBe(2);
    await ro.call(`order/acknowledge/${order.id}`);
    const acks = await effects('order.acknowledged');
    expect(acks).toHaveLength(1);
    expect(acks[0]).toMatchObject({ account: 'ro-main', target: String(order.id), data: { from: 1, to: 2 } });
  });

  it('refuses unknown and cancelled orders', async () => {
    expect((await ro.call('order/acknowledge/123')).body.isError).toBe(true);
    const cancelled = await firstWithStatus(0);
    expect((await ro.call(`order/acknowledge/${cancelled.id}`)).body.isError).toBe(true);
    expect(await effects('order.acknowledged')).toHaveLength(0);
  });
});

describe('order/save status matrix', () => {
  it('does not let a new order move except by acknowledge', async () => {
    const order = await firstWithStatus(1);
    const res = await save({ ...order, status: 2 });
    expect(res.status).toBe(200);
    expect(res.body.isError).toBe(true);
    expect(res.body.messages?.[0]).toMatch(/acknowledg/);
    expect((await save({ ...order, status: 3 })).body.isError).toBe(true);
    expect((await reread(order.id)).status).toBe(1);
  });

  it('moves in progress → prepared → finalized, but not back to in progress', async () => {
    const order = await firstWithStatus(2);
    expect((await save({ ...order, status: 3 })).body.isError).toBe(false);
    expect((await save({ ...order, status: 2 })).body.isError).toBe(true);
    expect((await save({ ...order, status: 4 })).body.isError).toBe(false);
    // Within 48 h of finalization it may go back to prepared.
    expect((await save({ ...order, status: 3 })).body.isError).toBe(false);
    expect((await reread(order.id)).status).toBe(3);
    const changes = (await effects('order.status_changed')).map((e) => e.data);
    expect(changes).toEqual([
      { from: 2, to: 3 },
      { from: 3, to: 4 },
      { from: 4, to: 3 },
    ]);
  });

  it('refuses old finalized orders going back, and anything out of returned', async () => {
    // Newest first: the last of a page of finalized orders is days old.
    const old = ((await ro.call('order/read', { status: 4, itemsPerPage: 100 })).body.results as Order[]).at(
      -1,
    )!;
    const back = await save({ ...old, status: 3 });
    expect(back.body.isError).toBe(true);
    expect(back.body.messages?.[0]).toMatch(/48 hours/);
    const returned = await firstWithStatus(5);
    for (const status of [0, 1, 2, 3, 4]) {
      expect((await save({ ...returned, status, reason_cancellation: 1 })).body.isError).toBe(true);
    }
    expect(await effects('order.status_changed')).toHaveLength(0);
  });

  it('cancels only with a documented reason_cancellation', async () => {
    const order = await firstWithStatus(2);
    const missing = await save({ ...order, status: 0 });
    expect(missing.body.isError).toBe(true);
    expect(missing.body.messages?.[0]).toMatch(/reason_cancellation/);
    expect((await save({ ...order, status: 0, reason_cancellation: 7 })).body.isError).toBe(true);
    expect((await save({ ...order, status: 0, reason_cancellation: 33 })).body.isError).toBe(false);
    const after = await reread(order.id);
    expect(after).toMatchObject({ status: 0, reason_cancellation: 33 });
    const cancels = await effects('order.cancelled');
    expect(cancels).toHaveLength(1);
    expect(cancels[0]).toMatchObject({ target: String(order.id), data: { from: 2, reason: 33 } });
    // A freshly cancelled order may be reactivated within 48 hours.
    expect((await save({ ...order, status: 2 })).body.isError).toBe(false);
  });

  it('requires type, refuses FBE orders, and applies nothing when one entity is wrong', async () => {
    const a = await firstWithStatus(2);
    const b = ((await ro.call('order/read', { status: 2, itemsPerPage: 100 })).body.results as Order[])[1]!;
    expect((await save({ id: a.id, status: 3 })).body.messages?.[0]).toMatch(/type is mandatory/);
    const mixed = await ro.call('order/save', [
      { ...a, status: 3 },
      { ...b, status: 1 },
    ]);
    expect(mixed.body.isError).toBe(true);
    expect((await reread(a.id)).status).toBe(2);
    const fbe = emagCaller({ url: sb.url, username: 'ro-fbe@sandbox.emag', password: 'sandbox-ro-fbe' });
    const fbeOrder = ((await fbe.call('order/read', { type: 2, status: 2 })).body.results as Order[])[0]!;
    const refused = await fbe.call('order/save', [{ ...fbeOrder, status: 3 }]);
    expect(refused.body.messages?.[0]).toMatch(/only orders having type 3/);
    expect((await state()).effects).toHaveLength(0);
  });

  it('adds a product line to an order in progress, and refuses it on a new order', async () => {
    const order = await firstWithStatus(2, { payment_mode_id: 1 });
    const extra = {
      product_id: 777,
      name: 'Discount intern',
      quantity: 1,
      sale_price: '-10.0000',
      status: 1,
    };
    const res = await save({ ...order, products: [...order.products, extra] });
    expect(res.body.isError).toBe(false);
    const after = await reread(order.id);
    expect(after.products).toHaveLength(order.products.length + 1);
    expect(after.products.at(-1)).toMatchObject({
      product_id: 777,
      sale_price: '-10.0000',
      // Romania's standard rate since 2025-08-01 (reference README "Correction").
      vat: '0.2100',
      quantity: 1,
    });
    // The added line has an id and is edited like any other.
    const added = after.products.at(-1);
    expect(
      (await save({ ...after, products: [...after.products.slice(0, -1), { ...added, status: 0 }] })).body
        .isError,
    ).toBe(false);
    expect((await reread(order.id)).products.at(-1).status).toBe(0);
    const fresh = await firstWithStatus(1);
    expect((await save({ ...fresh, products: [...fresh.products, extra] })).body.isError).toBe(true);
  });

  it('requires the order as read: payment_mode_id, and every product to keep (API doc 5.5, 5.5.1)', async () => {
    const cod = (
      (await ro.call('order/read', { status: 2, payment_mode_id: 1, itemsPerPage: 100 })).body
        .results as Order[]
    )[0]!;
    const { payment_mode_id: _mode, ...withoutMode } = cod;
    const noMode = await save({ ...withoutMode, status: 3 });
    expect(noMode.status).toBe(200);
    expect(noMode.body.isError).toBe(true);
    expect(noMode.body.messages?.[0]).toMatch(/payment_mode_id is mandatory/);
    // The full order as read: the status changes, the products stay.
    expect((await save({ ...cod, status: 3 })).body.isError).toBe(false);
    expect((await reread(cod.id)).products.map((p: Order) => p.status)).toEqual(cod.products.map(() => 1));
    expect(await effects('order.products_changed')).toHaveLength(0);
    // Products left out are removed from the order ("or do not send it at all").
    const { products: _products, ...bare } = await reread(cod.id);
    expect((await save({ ...bare, status: 0, reason_cancellation: 2 })).body.isError).toBe(false);
    const emptied = await reread(cod.id);
    expect(emptied.status).toBe(0);
    expect(emptied.products.map((p: Order) => p.status)).toEqual(cod.products.map(() => 0));
    expect(await effects('order.products_changed')).toHaveLength(1);
    // A card order cannot lose products: a cancellation without them is refused as a whole.
    const card = (
      (await ro.call('order/read', { status: 2, payment_mode_id: 3, itemsPerPage: 100 })).body
        .results as Order[]
    )[0]!;
    const { products: _cardProducts, ...cardBare } = card;
    const refused = await save({ ...cardBare, status: 0, reason_cancellation: 2 });
    expect(refused.body.isError).toBe(true);
    expect(refused.body.messages?.[0]).toMatch(/Online Card/);
    expect((await reread(card.id)).status).toBe(2);
    expect((await save({ ...card, status: 0, reason_cancellation: 2 })).body.isError).toBe(false);
    expect((await reread(card.id)).products.every((p: Order) => p.status === 1)).toBe(true);
  });

  it('edits product lines while in progress but never prices', async () => {
    const order = (
      (await ro.call('order/read', { status: 2, payment_mode_id: 1, itemsPerPage: 100 })).body
        .results as Order[]
    ).find((o) => o.products.length > 1)!;
    const [first, second] = order.products;
    const priceChange = await save({ ...order, products: [{ ...first, sale_price: '1.0000' }, second] });
    expect(priceChange.body.messages?.[0]).toMatch(/prices/);
    const removal = await save({ ...order, products: [first, { ...second, status: 0 }] });
    expect(removal.body.isError).toBe(false);
    const after = await reread(order.id);
    expect(after.products[1].status).toBe(0);
    expect(await effects('order.products_changed')).toHaveLength(1);
  });
});
