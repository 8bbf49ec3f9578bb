import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestActor } from '@mch/host/testing';
import {
  allOrders,
  connect,
  invoicesOf,
  ROMANIAN_SELLER,
  sandboxState,
  startEmagWorld,
  syncAndWait,
  type EmagWorld,
} from './support.ts';

interface ReturnView {
  id: number;
  orderId: number;
  status: number;
  deadline: string | null;
  daysLeft: number | null;
  customer: string | null;
  products: {
    id: number;
    productId: string | null;
    name: string;
    quantity: number;
    returnReason: number | null;
  }[];
  allowedMoves: { status: number; name: string }[];
}

interface Line {
  position: number;
  name: string;
  quantity: string;
  gross: string;
}

interface Doc {
  id: string;
  type: string;
  number: string;
  corrects: string | null;
  correctedBy: string[];
  lines: Line[];
  totals: { net: string; vat: string; gross: string };
  correction?: { kind: string; reason: string; correctedNumber: string };
}

const cents = (amount: string) => Math.round(Number(amount) * 100);

/**
 * Issue 21 against the eMAG sandbox over HTTP: a return finalised with products gets one
 * correction of exactly those lines; disallowed moves are refused with eMAG's rule in words and
 * change nothing; a cancellation of an invoiced order gets one correction to zero.
 */
describe('eMAG returns and cancellations with corrections', () => {
  let world: EmagWorld;
  let user: TestActor;
  let id: string;

  const action = (name: string, input: unknown) =>
    user.rest<{
      success?: boolean;
      result?: Record<string, unknown>;
      error?: { code: string; message: string };
    }>(`/api/v1/emag/actions/${id}/${name}`, { method: 'POST', body: input });
  const saves = async () =>
    (await sandboxState(world.sandbox)).requests['POST /:platform/api-3/rma/save'] ?? 0;

  beforeAll(async () => {
    // 440 orders: the newest return requests are still open (status 2, 3 or 6).
    world = await startEmagWorld({ orders: 440 });
    const tenant = await world.host.createTenant(undefined, ROMANIAN_SELLER);
    user = await world.host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
    id = await connect(user, 'ro-main');
    const run = await syncAndWait(user, id);
    expect(run.error).toBeNull();
    const returns = await syncAndWait(user, id, { jobId: 'sync-returns' });
    expect(returns.status).toBe('succeeded');
  }, 600_000);
  afterAll(() => world?.stop());

  it('finalises a partial return with one correction of exactly the returned line; bad moves and quantities change nothing', async () => {
    const orders = await allOrders(world.sandbox, 'ro-main');
    const invoices = await invoicesOf(user, id);
    // A customer returns one unit of one product of an invoiced, delivered order of several
    // products: a partial return.
    const order = orders.find(
      (o) =>
        o.status === 4 &&
        o.products.filter((p) => p.status === 1).length >= 2 &&
        invoices.some((i) => i.externalOrderId === String(o.id)),
    );
    expect(order, 'an invoiced delivered order of several products').toBeDefined();
    const product = order!.products.filter((p) => p.status === 1)[1]!;
    const opened = await fetch(`${world.sandbox.url}/__sandbox/returns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        account: 'ro-main',
        orderId: order!.id,
        products: [{ id: product.id, quantity: 1 }],
      }),
    });
    expect(opened.status).toBe(201);
    const { emagId } = (await opened.json()) as { emagId: number };
    // Returns arrive by schedule and on demand: a sync now reads the new one.
    expect((await syncAndWait(user, id, { jobId: 'sync-returns' })).status).toBe('succeeded');
    const listed = await action('list-returns', { status: 2 });
    const returns = (listed.body.result as { returns: ReturnView[] }).returns;
    const rma = returns.find((r) => r.id === emagId)!;
    expect(rma, 'the new return is listed').toBeDefined();
    expect(rma.orderId).toBe(order!.id);
    expect(rma.products.length).toBeGreaterThan(0);
    expect(rma.products[0]).toMatchObject({ id: expect.any(Number), name: expect.any(String), quantity: 1 });
    expect(rma.customer).toEqual(expect.any(String));
    expect(rma.allowedMoves).toEqual([
      { status: 3, name: 'approved' },
      { status: 5, name: 'canceled' },
    ]);
    expect(rma.deadline).toEqual(expect.any(String));
    expect(rma.daysLeft).toBeLessThanOrEqual(14);

    // A move the status does not allow: refused with the rule in words, nothing sent.
    const before = await saves();
    const skipping = await action('move-return', { rmaId: rma.id, status: 7 });
    expect(skipping.status, skipping.text).toBe(409);
    expect(skipping.body.error?.message).toMatch(
      /^A new return cannot be finalised; it can only be approved or cancelled\. eMAG lets a seller/,
    );
    expect(await saves()).toBe(before);

    for (const status of [3, 6]) {
      const moved = await action('move-return', { rmaId: rma.id, status });
      expect(moved.status, moved.text).toBe(200);
      expect(moved.body.result).toMatchObject({ outcome: 'done', to: status, correction: null });
    }
    // More units than the return holds: refused before anything is sent.
    const line = rma.products[0]!;
    const afterMoves = await saves();
    const tooMany = await action('move-return', {
      rmaId: rma.id,
      status: 7,
      products: [{ id: line.id, quantity: line.quantity + 4 }],
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error?.message).toContain(`${line.quantity + 4} × ${line.name} cannot come back`);
    expect(await saves()).toBe(afterMoves);

    const invoice = invoices.find((i) => i.externalOrderId === String(rma.orderId))!;
    const original = await user.rest<Doc>(`/api/v1/invoices/${invoice.id}`);
    expect(original.body.correctedBy).toEqual([]);

    const finalised = await action('move-return', { rmaId: rma.id, status: 7 });
    expect(finalised.status, finalised.text).toBe(200);
    const correction = finalised.body.result!.correction as {
      id: string;
      corrects: string;
      created: boolean;
    };
    expect(correction).toMatchObject({ corrects: invoice.id, created: true });
    const again = await action('move-return', { rmaId: rma.id, status: 7 });
    expect(again.body.result).toMatchObject({
      outcome: 'already-done',
      correction: { id: correction.id, created: false },
    });

    const doc = await user.rest<Doc>(`/api/v1/invoices/${correction.id}`);
    expect(doc.body).toMatchObject({
      type: 'correction',
      corrects: invoice.id,
      correction: { kind: 'return' },
    });
    expect(doc.body.lines).toHaveLength(1);
    const corrected = original.body.lines.find((l) => l.position === doc.body.lines[0]!.position)!;
    expect(corrected.name).toBe(line.name);
    expect(doc.body.lines[0]!.quantity).toBe('-1.000');
    const soldQuantity = Number(corrected.quantity);
    const expectedGross = -Math.round((cents(corrected.gross) * 1) / soldQuantity);
    expect(cents(doc.body.totals.gross)).toBe(expectedGross);
    // The invoice and its correction add up to what the buyer keeps paying, to the cent.
    expect(cents(original.body.totals.gross) + cents(doc.body.totals.gross)).toBe(
      cents(original.body.totals.gross) + expectedGross,
    );
    const after = await user.rest<Doc>(`/api/v1/invoices/${invoice.id}`);
    expect(after.body.correctedBy).toEqual([correction.id]);
    expect(after.body.totals).toEqual(original.body.totals);
    const state = await sandboxState(world.sandbox);
    expect(
      state.effects.filter((e) => e.kind === 'rma.status_changed' && e.target === String(rma.id)),
    ).toHaveLength(3);
  }, 300_000);

  it('cancels an invoiced order with one correction to zero; refusals are 4xx in words and send nothing', async () => {
    const orders = await allOrders(world.sandbox, 'ro-main');
    const invoices = await invoicesOf(user, id);
    const target = orders.find(
      (o) => (o.status === 2 || o.status === 3) && invoices.some((i) => i.externalOrderId === String(o.id)),
    );
    expect(target, 'an invoiced order eMAG still lets the seller cancel').toBeDefined();
    const orderId = String(target!.id);
    const invoice = invoices.find((i) => i.externalOrderId === orderId)!;

    const unknown = await action('cancel-order', { orderId, reason: 10 });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.error)).toMatch(/reason/);
    const cancelledBefore = (await sandboxState(world.sandbox)).effects.filter(
      (e) => e.kind === 'order.cancelled' && e.target === orderId,
    );
    expect(cancelledBefore).toEqual([]);

    const first = await action('cancel-order', { orderId, reason: 2 });
    expect(first.status, first.text).toBe(200);
    expect(first.body.result).toMatchObject({
      outcome: 'done',
      status: 0,
      reasonText: 'Cancelled by the client',
      correction: { corrects: invoice.id },
    });
    const again = await action('cancel-order', { orderId, reason: 2 });
    expect(again.status).toBe(200);
    expect(again.body.result).toMatchObject({ outcome: 'already-done' });

    const original = await user.rest<Doc>(`/api/v1/invoices/${invoice.id}`);
    expect(original.body.correctedBy).toHaveLength(1);
    const zero = await user.rest<Doc>(`/api/v1/invoices/${original.body.correctedBy[0]}`);
    expect(zero.body).toMatchObject({ type: 'correction', correction: { kind: 'cancellation' } });
    expect(cents(original.body.totals.gross) + cents(zero.body.totals.gross)).toBe(0);
    const state = await sandboxState(world.sandbox);
    expect(state.effects.filter((e) => e.kind === 'order.cancelled' && e.target === orderId)).toHaveLength(1);

    // The correction goes to the order like an invoice, once, whatever syncs repeat.
    for (let i = 0; i < 2; i++) expect((await syncAndWait(user, id)).status).toBe('succeeded');
    const attached = (await sandboxState(world.sandbox)).effects.filter(
      (e) =>
        e.kind === 'order.attachment_saved' &&
        e.target === orderId &&
        String((e.data as { name?: string }).name).startsWith('Factura storno'),
    );
    expect(attached).toHaveLength(1);
    expect((attached[0]!.data as { name: string }).name).toBe(`Factura storno ${zero.body.number}`);

    // A finalized order long past eMAG's 48 hours: eMAG's rule in words, a 409, not a 5xx.
    const old = orders.filter((o) => o.status === 4).at(-1)!;
    const late = await action('cancel-order', { orderId: String(old.id), reason: 2 });
    expect(late.status, late.text).toBe(409);
    expect(late.body.error?.message).toMatch(/eMAG refused to cancel order .*48 hours/);
  }, 300_000);
});
