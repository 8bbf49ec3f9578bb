import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedLinesByOrder, type TestActor } from '@mch/host/testing';
import {
  allOrders,
  connect,
  expectHolds,
  invoicesOf,
  ROMANIAN_SELLER,
  routeHostsTo,
  sandboxState,
  startEmagWorld,
  syncAndWait,
  type EmagWorld,
} from './support.ts';

/**
 * The plugin against eMAG as it is today (reference README "eMAG", Correction lines): the
 * sandbox's ready-line url used as EMAG_BASE_URL as printed; then the production config
 * (EMAG_BASE_URL unset) with every real host name pointed at the sandbox, which serves each as
 * its platform — Fashion Days on its own hosts. Orders date from late October 2025 to 20 January
 * 2026, so Bulgaria's straddle the euro changeover.
 */
const REAL_HOSTS = [
  'marketplace-api.emag.ro',
  'marketplace-api.emag.bg',
  'marketplace-api.emag.hu',
  'marketplace-ro-api.fashiondays.com',
  'marketplace-bg-api.fashiondays.com',
];

describe('eMAG today: the plugin against the corrected sandbox', () => {
  let world: EmagWorld;
  let user: TestActor;
  let unroute: (() => void) | undefined;
  const ids = new Map<string, string>();

  const action = (id: string, name: string, input: unknown) =>
    user.rest<{ result?: Record<string, unknown>; error?: { code: string; message: string } }>(
      `/api/v1/emag/actions/${id}/${name}`,
      { method: 'POST', body: input },
    );

  beforeAll(async () => {
    // 440 orders: the newest return request is still new (status 2).
    world = await startEmagWorld({ orders: 440, extra: { now: '2026-01-20T12:00:00Z' } });
    const tenant = await world.host.createTenant(undefined, ROMANIAN_SELLER);
    user = await world.host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
  }, 120_000);
  afterAll(async () => {
    unroute?.();
    await world?.stop();
  });

  it('works with the ready line url as EMAG_BASE_URL, exactly as printed', async () => {
    world.overrides.set('emag', { EMAG_BASE_URL: world.sandbox.url });
    const id = await connect(user, 'hu-main', { syncReturns: false });
    const tested = await user.trpc.integrations.testConnection.mutate({ id });
    expect(tested.ok, tested.message).toBe(true);
    const run = await syncAndWait(user, id);
    expect(run.error).toBeNull();
    // A Romanian seller under OSS: Hungarian consumers invoiced at Hungarian VAT, businesses held.
    const finished = (await allOrders(world.sandbox, 'hu-main')).filter(
      (o) => o.status !== 0 && o.status !== 1,
    );
    const issued = await expectHolds(user, id, finished);
    expect(issued.length).toBeLessThan(finished.length);
    const invoices = await invoicesOf(user, id);
    expect(invoices.map((i) => i.externalOrderId).sort()).toEqual(issued.map((o) => String(o.id)).sort());
    expect(invoices.length).toBeGreaterThan(250);
    expect(new Set(invoices.map((i) => i.currency))).toEqual(new Set(['HUF']));
    const state = await sandboxState(world.sandbox);
    expect(state.requests['POST /order/read']).toBeGreaterThan(0);
  }, 300_000);

  it('reaches Fashion Days on its own host with the production config', async () => {
    world.overrides.set('emag', {});
    unroute = await routeHostsTo(world.sandbox.url, REAL_HOSTS);
    const id = await connect(user, 'fdro-main', { syncReturns: false });
    ids.set('fdro-main', id);
    const before = (await sandboxState(world.sandbox)).requests['POST /api-3/order/read'] ?? 0;
    const run = await syncAndWait(user, id);
    expect(run.error).toBeNull();
    // Only marketplace-ro-api.fashiondays.com serves this account (any other host answers 401).
    expect((await sandboxState(world.sandbox)).requests['POST /api-3/order/read']).toBeGreaterThan(before);
    const invoices = await invoicesOf(user, id);
    const orders = await allOrders(world.sandbox, 'fdro-main');
    expect(invoices).toHaveLength(orders.filter((o) => o.status !== 0 && o.status !== 1).length);
    expect(new Set(invoices.map((i) => i.currency))).toEqual(new Set(['RON']));
  }, 300_000);

  it('invoices Bulgarian orders of 2025 in BGN and of 2026 in EUR', async () => {
    const id = await connect(user, 'bg-main', { syncReturns: false });
    const run = await syncAndWait(user, id);
    expect(run.error).toBeNull();
    const byOrder = new Map((await invoicesOf(user, id)).map((i) => [i.externalOrderId, i]));
    const orders = (await allOrders(world.sandbox, 'bg-main')).filter((o) => o.status !== 0);
    // Bulgarian businesses' orders at Bulgarian VAT are held for a Romanian seller; the rest invoiced.
    const issued = await expectHolds(user, id, orders);
    expect(issued.length).toBeLessThan(orders.length);
    expect(byOrder.size).toBe(issued.length);
    const seen = new Set<string>();
    for (const order of issued) {
      const invoice = byOrder.get(String(order.id));
      expect(invoice, `invoice of ${order.id}`).toBeDefined();
      const want = order.date >= '2026-01-01 00:00:00' ? 'EUR' : 'BGN';
      expect(invoice!.currency, `${order.id} of ${order.date}`).toBe(want);
      seen.add(want);
    }
    expect([...seen].sort()).toEqual(['BGN', 'EUR']);
  }, 300_000);

  it('invoices Romanian orders at 21 % / 11 %, shipping at 21 %', async () => {
    const id = await connect(user, 'ro-main');
    ids.set('ro-main', id);
    const run = await syncAndWait(user, id);
    expect(run.error).toBeNull();
    const lines = [...(await storedLinesByOrder(world.host.database.db, id)).values()].flat();
    expect(new Set(lines.map((l) => Number(l.vat_rate)))).toEqual(new Set([21, 11]));
    const transport = lines.filter((l) => l.name === 'Transport');
    expect(transport.length).toBeGreaterThan(0);
    expect(transport.every((l) => Number(l.vat_rate) === 21 || Number(l.vat_rate) === 11)).toBe(true);
  }, 300_000);

  it('cancels with the whole order as read: every product stays, card orders included', async () => {
    const id = ids.get('ro-main')!;
    const orders = await allOrders(world.sandbox, 'ro-main');
    const open = orders.filter((o) => o.status === 2 || o.status === 3);
    const cod = open.find((o) => o.payment_mode_id === 1)!;
    const card = open.find((o) => o.payment_mode_id === 3)!;
    expect(cod).toBeDefined();
    expect(card).toBeDefined();
    for (const order of [cod, card]) {
      const response = await action(id, 'cancel-order', { orderId: String(order.id), reason: 2 });
      expect(response.status, response.text).toBe(200);
      expect(response.body.result).toMatchObject({ outcome: 'done', status: 0 });
      const after = (await allOrders(world.sandbox, 'ro-main')).find((o) => o.id === order.id)!;
      expect(after.status).toBe(0);
      expect(after.products.map((p) => [p.id, p.status, p.quantity])).toEqual(
        order.products.map((p) => [p.id, p.status, p.quantity]),
      );
    }
    const state = await sandboxState(world.sandbox);
    const touched = new Set([String(cod.id), String(card.id)]);
    expect(state.effects.filter((e) => e.kind === 'order.cancelled' && touched.has(e.target!))).toHaveLength(
      2,
    );
    expect(state.effects.filter((e) => e.kind === 'order.products_changed')).toEqual([]);
    const invoices = await invoicesOf(user, id);
    // Each invoice stays as issued, beside its correction to zero (issue 21).
    for (const order of [cod, card]) {
      const documents = invoices.filter((i) => i.externalOrderId === String(order.id));
      expect(documents).toHaveLength(2);
      expect(documents.reduce((sum, d) => sum + Math.round(Number(d.grossTotal) * 100), 0)).toBe(0);
    }
  }, 120_000);

  it("surfaces eMAG's refusal as a clear error, not a server error", async () => {
    const id = ids.get('ro-main')!;
    // Finalized more than 48 hours ago: eMAG's status matrix refuses the cancellation.
    const old = (await allOrders(world.sandbox, 'ro-main')).filter((o) => o.status === 4).at(-1)!;
    const response = await action(id, 'cancel-order', { orderId: String(old.id), reason: 2 });
    expect(response.status, response.text).toBe(409);
    expect(response.body.error?.message).toMatch(
      new RegExp(`eMAG refused to cancel order ${old.id}: .*48 hours.*eMAG seller portal`),
    );
  }, 120_000);

  it('moves a return with its type, as rma/save now requires', async () => {
    const id = ids.get('ro-main')!;
    const synced = await syncAndWait(user, id, { jobId: 'sync-returns' });
    expect(synced.status).toBe('succeeded');
    const listed = await action(id, 'list-returns', { status: 2 });
    const [fresh] = (listed.body.result as { returns: { id: number }[] }).returns;
    expect(fresh).toBeDefined();
    const moved = await action(id, 'move-return', { rmaId: fresh!.id, status: 3 });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body.result).toMatchObject({ outcome: 'done', from: 2, to: 3 });
    const state = await sandboxState(world.sandbox);
    expect(
      state.effects.filter((e) => e.kind === 'rma.status_changed' && e.target === String(fresh!.id)),
    ).toEqual([expect.objectContaining({ data: { from: 2, to: 3 } })]);
    expect(state.breaches).toBe(0);
  }, 120_000);
});
