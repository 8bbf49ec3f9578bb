import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestActor } from '@mch/host/testing';
import {
  connectAccount,
  sandboxState,
  sellerHeaders,
  startAllegroWorld,
  syncAndWait,
  type AllegroWorld,
} from './support.ts';

interface Money {
  amount: string;
  currency: string;
}
interface FullForm {
  id: string;
  status: string;
  payment: { id: string; finishedAt?: string; paidAmount?: Money };
  invoice: { required: boolean };
  lineItems: {
    id: string;
    offer: { id: string; name: string };
    quantity: number;
    price: Money;
    deposit?: unknown;
    selectedAdditionalServices?: unknown[];
  }[];
  delivery: { cost: Money };
  summary: { totalToPay: Money };
}
interface Doc {
  id: string;
  type: string;
  number: string;
  corrects: string | null;
  correctedBy: string[];
  externalOrderId: string | null;
  lines: { position: number; name: string; quantity: string; gross: string }[];
  totals: { gross: string };
  correction?: { kind: string; reason: string; correctedNumber: string };
}
interface Effect {
  kind: string;
  target?: string;
  data?: Record<string, unknown>;
}
type ActionAnswer = {
  success?: boolean;
  result?: Record<string, unknown>;
  error?: { code: string; message: string; pointer?: string };
};

const cents = (amount: string) => Math.round(Number(amount) * 100);

async function fullForms(sandbox: RunningSandbox, account: number): Promise<FullForm[]> {
  const headers = await sellerHeaders(sandbox, account);
  const forms: FullForm[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = (await (
      await fetch(`${sandbox.url}/order/checkout-forms?limit=100&offset=${offset}`, { headers })
    ).json()) as {
      checkoutForms: FullForm[];
    };
    forms.push(...page.checkoutForms);
    if (page.checkoutForms.length < 100) return forms;
  }
}

/**
 * Issue 21 against the Allegro sandbox over HTTP (customer returns and payment refunds, built from
 * the OpenAPI copy and the public tracker): a partial refund makes one refund on Allegro and one
 * matching correction; a repeat, a lost answer and bad input make no second refund; a customer
 * return refunded gives the correction of exactly what came back; a refund refused is refused in
 * words; the invoice and its corrections add up to what the buyer finally paid, to the cent.
 */
describe('Allegro refunds and customer returns with corrections', () => {
  let world: AllegroWorld;
  let user: TestActor;
  let id: string;
  let forms: FullForm[];
  const invoiceOf = new Map<string, Doc>();
  /** Orders a test has used: each test takes orders of its own. */
  const used = new Set<string>();
  const take = (form: FullForm) => {
    used.add(form.id);
    return form;
  };

  const action = (name: string, input: unknown) =>
    user.rest<ActionAnswer>(`/api/v1/allegro/actions/${id}/${name}`, { method: 'POST', body: input });
  const effects = async (kind: string, target?: string): Promise<Effect[]> =>
    ((await sandboxState(world.sandbox)).effects as Effect[]).filter(
      (e) => e.kind === kind && (target === undefined || e.target === target),
    );
  const doc = async (docId: string) => (await user.rest<Doc>(`/api/v1/invoices/${docId}`)).body;
  /** The invoice and its corrections, summed: what the buyer is left paying. */
  const netOf = async (orderId: string) => {
    const invoice = await doc(invoiceOf.get(orderId)!.id);
    let sum = cents(invoice.totals.gross);
    for (const c of invoice.correctedBy) sum += cents((await doc(c)).totals.gross);
    return { sum, invoice };
  };
  /** Paid orders with an invoice here that Allegro takes a file for, with ≥ 2 units on line 1. */
  const candidates = () =>
    forms.filter(
      (f) =>
        f.status === 'READY_FOR_PROCESSING' &&
        f.payment.finishedAt &&
        f.invoice.required &&
        invoiceOf.has(f.id) &&
        !used.has(f.id) &&
        cents(f.delivery.cost.amount) > 0,
    );

  beforeAll(async () => {
    world = await startAllegroWorld({ orders: 120, extra: { accounts: 1, refundSettleMs: 50 } });
    const tenant = await world.host.createTenant();
    user = await world.host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
    id = await connectAccount(user, 0);
    expect((await syncAndWait(user, id)).status).toBe('succeeded');
    forms = await fullForms(world.sandbox, 0);
    const { body } = await user.rest<{ invoices: Doc[] }>(`/api/v1/invoices?integrationId=${id}&limit=200`);
    for (const invoice of body.invoices)
      if (invoice.externalOrderId) invoiceOf.set(invoice.externalOrderId, invoice);
    expect(candidates().length).toBeGreaterThan(5);
  }, 300_000);
  afterAll(() => world?.stop());

  it('refunds part of an order once, with the matching correction; the sum is what the buyer paid', async () => {
    const form = take(candidates().find((f) => f.lineItems[0]!.quantity >= 2) ?? candidates()[0]!);
    const item = form.lineItems[0]!;
    const delivery = (cents(form.delivery.cost.amount) / 200).toFixed(2); // half the delivery
    const input = { orderId: form.id, reason: 'REFUND', lines: [{ line: 1, quantity: 1 }], delivery };
    const answer = await action('refund-order', input);
    expect(answer.status, answer.text).toBe(200);
    const result = answer.body.result!;
    const expected = cents(item.price.amount) + cents(delivery);
    expect(cents(String(result.amount))).toBe(expected);
    expect(result.outcome).toBe('done');
    const made = await effects('refund.created', form.id);
    expect(made).toHaveLength(1);
    expect(made[0]!.data).toMatchObject({ paymentId: form.payment.id, reason: 'REFUND' });

    const correction = result.correction as {
      id: string;
      number: string;
      corrects: string;
      created: boolean;
    };
    expect(correction).toMatchObject({ corrects: invoiceOf.get(form.id)!.id, created: true });
    const corrected = await doc(correction.id);
    expect(corrected).toMatchObject({
      type: 'correction',
      corrects: invoiceOf.get(form.id)!.id,
      correction: { kind: 'refund' },
    });
    expect(-cents(corrected.totals.gross)).toBe(expected);
    const { sum } = await netOf(form.id);
    expect(sum).toBe(cents(form.payment.paidAmount!.amount) - expected);

    // The same refund asked again (a double click, a retry): nothing new on Allegro or here.
    const again = await action('refund-order', input);
    expect(again.status, again.text).toBe(200);
    expect(again.body.result).toMatchObject({ outcome: 'already-done', refundId: result.refundId });
    expect(again.body.result!.correction as { id: string; created: boolean }).toMatchObject({
      id: correction.id,
      created: false,
    });
    expect(await effects('refund.created', form.id)).toHaveLength(1);
    expect((await doc(invoiceOf.get(form.id)!.id)).correctedBy).toEqual([correction.id]);
  }, 120_000);

  it('refuses a refund above what was paid or sold, and a line the order lacks, sending nothing', async () => {
    const form = take(candidates().at(-1)!);
    const before = (await effects('refund.created')).length;
    const tooMuch = await action('refund-order', {
      orderId: form.id,
      reason: 'REFUND',
      lines: [
        {
          line: 1,
          amount: ((cents(form.lineItems[0]!.price.amount) * form.lineItems[0]!.quantity) / 100 + 1).toFixed(
            2,
          ),
        },
      ],
    });
    expect(tooMuch.status, tooMuch.text).toBe(400);
    expect(tooMuch.body.error?.message).toMatch(/cannot be refunded on line 1 .* is left to refund/);
    const tooMany = await action('refund-order', {
      orderId: form.id,
      reason: 'REFUND',
      lines: [{ line: 1, quantity: form.lineItems[0]!.quantity + 1 }],
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error?.message).toMatch(/cannot be refunded: the order sold \d+/);
    const noLine = await action('refund-order', {
      orderId: form.id,
      reason: 'REFUND',
      lines: [{ line: 9, quantity: 1 }],
    });
    expect(noLine.status).toBe(400);
    expect(noLine.body.error?.message).toMatch(/no line 9/);
    const badReason = await action('refund-order', { orderId: form.id, reason: 'BECAUSE', everything: true });
    expect(badReason.status).toBe(400);
    expect((await effects('refund.created')).length).toBe(before);
    expect((await doc(invoiceOf.get(form.id)!.id)).correctedBy).toEqual([]);
  }, 60_000);

  it('makes one refund when Allegro’s answer is lost, and refunds everything left as a correction to zero', async () => {
    const form = take(candidates().at(-1)!);
    await fetch(`${world.sandbox.controlUrl}/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lostAnswers: 1, lostAnswerRoutes: ['POST /payments/refunds'] }),
    });
    const input = { orderId: form.id, reason: 'CANCELLED_BY_BUYER', everything: true };
    const lost = await action('refund-order', input);
    expect(lost.status).toBeGreaterThanOrEqual(500);
    expect(lost.body.error?.message).toMatch(/Allegro did not answer .* at most once/);
    expect(await effects('refund.created', form.id)).toHaveLength(1); // it took effect
    const retried = await action('refund-order', input);
    expect(retried.status, retried.text).toBe(200);
    expect(await effects('refund.created', form.id)).toHaveLength(1);
    expect(cents(String(retried.body.result!.amount))).toBe(cents(form.payment.paidAmount!.amount));
    const { sum, invoice } = await netOf(form.id);
    expect(sum).toBe(0);
    expect(invoice.correctedBy).toHaveLength(1);
    const nothing = await action('refund-order', {
      orderId: form.id,
      reason: 'REFUND',
      lines: [{ line: 1, quantity: 1 }],
    });
    expect(nothing.status).toBe(400);
    expect(nothing.body.error?.message).toMatch(/left to refund/);
  }, 60_000);

  it('refunds a customer return: the correction of exactly what came back; a refusal needs its reason', async () => {
    const form = take(candidates()[0]!);
    const other = take(candidates()[0]!);
    const item = form.lineItems.at(-1)!;
    const opened = await fetch(`${world.sandbox.controlUrl}/returns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ checkoutFormId: form.id, items: [{ lineItemId: item.id, quantity: 1 }] }),
    });
    expect(opened.status).toBe(201);
    const theReturn = (await opened.json()) as { id: string };
    const second = (await (
      await fetch(`${world.sandbox.controlUrl}/returns`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ checkoutFormId: other.id }),
      })
    ).json()) as { id: string };

    expect((await syncAndWait(user, id, 60_000, 'sync-returns')).status).toBe('succeeded');
    const list = await action('list-returns', {});
    const items = list.body.result!.items as {
      id: string;
      status: string;
      orderId: string;
      daysLeft: number | null;
      lines: string[];
    }[];
    const listed = items.find((r) => r.id === theReturn.id)!;
    expect(listed).toMatchObject({ orderId: form.id, status: 'DELIVERED', daysLeft: 13 });
    expect(listed.lines).toEqual([expect.stringContaining(`1 × ${item.offer.name}`)]);

    const refunded = await action('refund-return', { returnId: theReturn.id });
    expect(refunded.status, refunded.text).toBe(200);
    const correction = refunded.body.result!.correction as { id: string };
    const corrected = await doc(correction.id);
    const position = form.lineItems.length; // the last line item
    expect(corrected.correction?.kind).toBe('return');
    const returnedLine = corrected.lines.find((l) => l.position === position);
    expect(returnedLine, JSON.stringify(corrected.lines)).toBeDefined();
    const sent = await effects('refund.created', form.id);
    expect(sent).toHaveLength(1);
    const { sum } = await netOf(form.id);
    expect(sum).toBe(cents(form.payment.paidAmount!.amount) - cents(String(refunded.body.result!.amount)));
    const after = (await action('list-returns', {})).body.result!.items as {
      id: string;
      status: string;
      daysLeft: number | null;
    }[];
    expect(after.find((r) => r.id === theReturn.id)).toMatchObject({ status: 'FINISHED', daysLeft: null });
    // Refunded already: Allegro allows nothing more; asking again makes no second refund.
    expect((await action('refund-return', { returnId: theReturn.id })).body.result).toMatchObject({
      outcome: 'already-done',
    });
    expect(await effects('refund.created', form.id)).toHaveLength(1);

    const unsaid = await action('reject-return', { returnId: second.id, code: 'REFUND_REJECTED' });
    expect(unsaid.status).toBe(400);
    expect(unsaid.body.error?.message).toMatch(/Say why/);
    expect(await effects('return.rejected', second.id)).toHaveLength(0);
    const rejected = await action('reject-return', {
      returnId: second.id,
      code: 'REFUND_REJECTED',
      reason: 'Returned after 30 days.',
    });
    expect(rejected.status, rejected.text).toBe(200);
    expect(rejected.body.result).toMatchObject({ status: 'REJECTED' });
    const late = await action('refund-return', { returnId: second.id });
    expect(late.status).toBe(409);
    expect(late.body.error?.message).toMatch(/refund refused: Allegro allows no refund/);
    expect(await effects('return.rejected', second.id)).toHaveLength(1);
  }, 120_000);
  it('gives an order the buyer cancelled after invoicing its correction to zero; corrections reach Allegro once', async () => {
    const form = take(candidates()[0]!);
    const cancel = await fetch(`${world.sandbox.controlUrl}/buyer-cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ checkoutFormId: form.id }),
    });
    expect(cancel.status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await syncAndWait(user, id)).status).toBe('succeeded');
    const { sum, invoice } = await netOf(form.id);
    expect(invoice.correctedBy).toHaveLength(1);
    expect(sum).toBe(0);
    const zero = await doc(invoice.correctedBy[0]!);
    expect(zero).toMatchObject({ type: 'correction', correction: { kind: 'cancellation' } });

    // The buyer's money goes back with CANCELLED_BY_BUYER; the correction to zero already counts it.
    const refunded = await action('refund-order', {
      orderId: form.id,
      reason: 'CANCELLED_BY_BUYER',
      everything: true,
    });
    expect(refunded.status, refunded.text).toBe(200);
    expect(refunded.body.result!.correction).toMatchObject({ status: 'covered' });
    expect(cents(String(refunded.body.result!.amount))).toBe(cents(form.payment.paidAmount!.amount));
    expect((await doc(invoice.id)).correctedBy).toEqual([zero.id]);

    // Every correction issued in this file is uploaded to its order like an invoice, once.
    const { body } = await user.rest<{ invoices: Doc[] }>(`/api/v1/invoices?integrationId=${id}&limit=200`);
    const corrections = body.invoices.filter((d) => d.type === 'correction');
    expect(corrections.length).toBeGreaterThanOrEqual(4);
    const created = await effects('invoice.created');
    for (const c of corrections) {
      const mine = created.filter((e) => (e.data as { invoiceNumber?: string }).invoiceNumber === c.number);
      expect(mine, `uploads of ${c.number}`).toHaveLength(1);
      expect(mine[0]!.target).toBe(c.externalOrderId);
    }
  }, 120_000);
  it('shows a refund Allegro refuses in Allegro’s words, and makes nothing of it', async () => {
    const form = take(candidates()[0]!);
    const faults = (body: unknown) =>
      fetch(`${world.sandbox.controlUrl}/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // The first try never gets an answer (and does nothing on Allegro's side)…
    await faults({ hangRoutes: ['POST /payments/refunds'] });
    const input = { orderId: form.id, reason: 'REFUND', lines: [{ line: 1, quantity: 1 }] };
    const hung = await action('refund-order', input);
    expect(hung.status).toBe(503);
    expect(hung.body.error?.message).toMatch(/Allegro did not answer/);
    await faults({ hangRoutes: [] });
    expect(await effects('refund.created', form.id)).toHaveLength(0);
    // …meanwhile the seller refunds everything in Allegro's own panel…
    const headers = await sellerHeaders(world.sandbox, 0);
    const panel = await fetch(`${world.sandbox.url}/payments/refunds`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/vnd.allegro.public.v1+json' },
      body: JSON.stringify({
        payment: { id: form.payment.id },
        order: { id: form.id },
        reason: 'REFUND',
        lineItems: form.lineItems.map((l) => ({ id: l.id, type: 'QUANTITY', quantity: l.quantity })),
      }),
    });
    expect(panel.status, await panel.text()).toBe(200);
    // …so the retry (the same refund, same commandId) is refused by Allegro: 409 in its words.
    const refused = await action('refund-order', input);
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.error?.message).toMatch(
      /^Allegro refused to refund .*ilość przekroczona, dostępna: 0, żądana: 1/,
    );
    expect(await effects('refund.created', form.id)).toHaveLength(1); // the panel's only
    expect((await doc(invoiceOf.get(form.id)!.id)).correctedBy).toEqual([]);
  }, 120_000);
});
