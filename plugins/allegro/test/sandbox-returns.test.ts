import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import { ALLEGRO_ACCEPT, apiHeaders, obtainTokens } from '../sandbox/testing/consent.ts';

const BETA = 'application/vnd.allegro.beta.v1+json';

interface Price {
  amount: string;
  currency: string;
}
interface Form {
  id: string;
  status: string;
  payment: { id: string; type: string; finishedAt?: string; paidAmount?: Price };
  lineItems: { id: string; quantity: number; price: Price; offer: { id: string; name: string } }[];
  delivery: { cost: Price };
  marketplace: { id: string };
  buyer: { login: string; email: string };
}
interface CustomerReturn {
  id: string;
  orderId: string;
  status: string;
  createdAt: string;
  referenceNumber: string;
  marketplaceId: string;
  buyer: { login: string; email: string };
  items: { offerId: string; quantity: number; name: string; price: Price; reason: { type: string } }[];
  rejection?: { code: string; reason?: string };
}
interface Refund {
  id: string;
  status: string;
  totalValue: Price;
  order: { id: string };
  payment: { id: string };
  delivery?: { value: Price };
}
interface Errors {
  errors: { code: string; message: string; path: string | null }[];
}
interface Effect {
  kind: string;
  target?: string;
  data?: Record<string, unknown>;
}

let sb: RunningSandbox;
let token: string;
let otherToken: string;
let forms: Form[];

async function call<T>(
  method: string,
  path: string,
  input: { body?: unknown; accept?: string; token?: string } = {},
): Promise<{ status: number; body: T }> {
  const accept = input.accept ?? (path.startsWith('/order/customer-returns') ? BETA : ALLEGRO_ACCEPT);
  const headers: Record<string, string> = { authorization: `Bearer ${input.token ?? token}`, accept };
  if (input.body !== undefined) headers['content-type'] = accept;
  const res = await fetch(sb.url + path, {
    method,
    headers,
    body: input.body === undefined ? undefined : JSON.stringify(input.body),
  });
  return { status: res.status, body: (await res.json()) as T };
}
async function control<T>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sb.controlUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}
const effects = async (kind: string): Promise<Effect[]> =>
  (await control<{ effects: Effect[] }>('GET', '/state')).body.effects.filter((e) => e.kind === kind);
const refund = (body: Record<string, unknown>) =>
  call<Refund & Errors>('POST', '/payments/refunds', { body });
const paid = (f: Form) => f.status === 'READY_FOR_PROCESSING' && f.payment.finishedAt !== undefined;
const cents = (amount: string) => Math.round(Number(amount) * 100);

beforeAll(async () => {
  sb = await startSandbox({
    orders: 300,
    seed: 'returns-test',
    rateLimit: false,
    extra: { accounts: 2, refundSettleMs: 400, anchor: '2026-03-01T12:00:00.000Z' },
  });
  token = (await obtainTokens({ sandbox: sb, account: 0 })).access_token;
  otherToken = (await obtainTokens({ sandbox: sb, account: 1 })).access_token;
  forms = [];
  for (let offset = 0; offset < 300; offset += 100) {
    const page = await call<{ checkoutForms: Form[] }>(
      'GET',
      `/order/checkout-forms?limit=100&offset=${offset}`,
    );
    forms.push(...page.body.checkoutForms);
  }
});
afterAll(async () => {
  await sb.close();
});

describe('Allegro sandbox customer returns (beta media type)', () => {
  it('lists seeded returns of sent, paid orders, filters them and serves one by id', async () => {
    const all = await call<{ count: number; customerReturns: CustomerReturn[] }>(
      'GET',
      '/order/customer-returns',
    );
    expect(all.status).toBe(200);
    expect(all.body.count).toBe(4);
    const returns = all.body.customerReturns;
    expect(returns.filter((r) => r.status === 'DELIVERED').length).toBeGreaterThanOrEqual(2);
    for (const r of returns) {
      const form = forms.find((f) => f.id === r.orderId)!;
      expect(paid(form)).toBe(true);
      expect(r).toMatchObject({ marketplaceId: form.marketplace.id, buyer: { login: form.buyer.login } });
      expect(r.referenceNumber).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
      const item = r.items[0]!;
      const line = form.lineItems.find((l) => l.offer.id === item.offerId)!;
      expect(item.quantity).toBeLessThanOrEqual(line.quantity);
      expect(item.price).toEqual(line.price);
    }
    const sorted = [...returns].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    expect(returns.map((r) => r.id)).toEqual(sorted.map((r) => r.id));

    const delivered = await call<{ customerReturns: CustomerReturn[] }>(
      'GET',
      '/order/customer-returns?status=DELIVERED',
    );
    expect(delivered.body.customerReturns.every((r) => r.status === 'DELIVERED')).toBe(true);
    const two = await call<{ count: number }>(
      'GET',
      `/order/customer-returns?customerReturnId=${returns[0]!.id},${returns[1]!.id}`,
    );
    expect(two.body.count).toBe(2);
    const byOrder = await call<{ customerReturns: CustomerReturn[] }>(
      'GET',
      `/order/customer-returns?orderId=${returns[2]!.orderId}`,
    );
    expect(byOrder.body.customerReturns.map((r) => r.id)).toEqual([returns[2]!.id]);
    const after = await call<{ customerReturns: CustomerReturn[] }>(
      'GET',
      `/order/customer-returns?from=${returns[1]!.id}&limit=1`,
    );
    expect(after.body.customerReturns.map((r) => r.id)).toEqual([returns[2]!.id]);
    const since = await call<{ count: number }>(
      'GET',
      `/order/customer-returns?createdAt.gte=${encodeURIComponent(returns[3]!.createdAt)}`,
    );
    expect(since.body.count).toBe(1);
    expect((await call('GET', '/order/customer-returns?limit=1001')).status).toBe(400);
    expect((await call('GET', '/order/customer-returns?status=LOST')).status).toBe(400);

    const one = await call<CustomerReturn>('GET', `/order/customer-returns/${returns[0]!.id}`);
    expect(one.body).toEqual(returns[0]);
    expect(
      (await call('GET', `/order/customer-returns/${returns[0]!.id}`, { token: otherToken })).status,
    ).toBe(404);
    expect((await call('GET', '/order/customer-returns/nope')).status).toBe(404);
  });

  it('answers 406 to the public media type, with a beta-typed error', async () => {
    const res = await fetch(`${sb.url}/order/customer-returns`, { headers: apiHeaders(token) });
    expect(res.status).toBe(406);
    expect(res.headers.get('content-type')).toContain(BETA);
    expect(((await res.json()) as Errors).errors[0]?.message).toContain(BETA);
    // …and the refunds resource is public: the beta type is refused there.
    expect((await call('GET', '/payments/refunds', { accept: BETA })).status).toBe(406);
  });

  it('rejects a return with a known code; REFUND_REJECTED needs its reason; never twice', async () => {
    const form = forms.find((f) => paid(f) && f.lineItems.length > 0)!;
    const opened = await control<CustomerReturn>('POST', '/returns', { checkoutFormId: form.id });
    expect(opened.status).toBe(201);
    const path = `/order/customer-returns/${opened.body.id}/rejection`;
    const unknown = await call<Errors>('POST', path, { body: { rejection: { code: 'NOPE' } } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0]).toMatchObject({ code: 'VALIDATION_ERROR', path: 'rejection.code' });
    const unsaid = await call<Errors>('POST', path, { body: { rejection: { code: 'REFUND_REJECTED' } } });
    expect(unsaid.status).toBe(422);
    expect(unsaid.body.errors[0]?.path).toBe('rejection.reason');
    const tooLong = await call<Errors>('POST', path, {
      body: { rejection: { code: 'REFUND_REJECTED', reason: 'x'.repeat(251) } },
    });
    expect(tooLong.status).toBe(422);
    expect(await effects('return.rejected')).toHaveLength(0);
    const rejected = await call<CustomerReturn>('POST', path, {
      body: { rejection: { code: 'REFUND_REJECTED', reason: 'Odesłane po terminie.' } },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      status: 'REJECTED',
      rejection: { code: 'REFUND_REJECTED', reason: 'Odesłane po terminie.' },
    });
    const again = await call<Errors>('POST', path, { body: { rejection: { code: 'ITEM_FIXED' } } });
    expect(again.status).toBe(422);
    expect(again.body.errors[0]?.message).toMatch(/REJECTED: its refund can no longer be rejected/);
    const made = await effects('return.rejected');
    expect(made).toEqual([
      expect.objectContaining({
        target: opened.body.id,
        data: { code: 'REFUND_REJECTED', reason: 'Odesłane po terminie.' },
      }),
    ]);
    // Other codes need no reason.
    const other = await control<CustomerReturn>('POST', '/returns', { checkoutFormId: form.id });
    const fixed = await call<CustomerReturn>('POST', `/order/customer-returns/${other.body.id}/rejection`, {
      body: { rejection: { code: 'NEW_ITEM_SENT' } },
    });
    expect(fixed.body).toMatchObject({ status: 'REJECTED', rejection: { code: 'NEW_ITEM_SENT' } });
  });
});

describe('Allegro sandbox payment refunds', () => {
  it('refunds part of a line by QUANTITY, then refuses more than is left (#8840) and too much money (#12680)', async () => {
    const form = forms.find((f) => paid(f) && f.lineItems.some((l) => l.quantity >= 2))!;
    const line = form.lineItems.find((l) => l.quantity >= 2)!;
    const first = await refund({
      payment: { id: form.payment.id },
      order: { id: form.id },
      reason: 'REFUND',
      lineItems: [{ id: line.id, type: 'QUANTITY', quantity: 1 }],
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: 'NEW',
      order: { id: form.id },
      payment: { id: form.payment.id },
      totalValue: line.price,
    });
    const left = line.quantity - 1;
    const more = await refund({
      payment: { id: form.payment.id },
      reason: 'REFUND',
      lineItems: [{ id: line.id, type: 'QUANTITY', quantity: left + 1 }],
    });
    expect(more.status).toBe(422);
    expect(more.body.errors[0]?.message).toBe(
      `Oferta: ${line.id} ilość przekroczona, dostępna: ${left}, żądana: ${left + 1}`,
    );
    const valueLeft = cents(line.price.amount) * left;
    const asked = valueLeft + 1000;
    const comma = (u: number) => `${(u / 100).toFixed(2).replace('.', ',')} ${line.price.currency}`;
    const tooMuch = await refund({
      payment: { id: form.payment.id },
      reason: 'REFUND',
      lineItems: [
        {
          id: line.id,
          type: 'AMOUNT',
          value: { amount: (asked / 100).toFixed(2), currency: line.price.currency },
        },
      ],
    });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.errors[0]?.message).toBe(
      `Oferta: ${line.id} wartość przekroczona, dostępna: ${comma(valueLeft)}, żądana: ${comma(asked)}`,
    );
    const threeDecimals = await refund({
      payment: { id: form.payment.id },
      reason: 'REFUND',
      lineItems: [{ id: line.id, type: 'AMOUNT', value: { amount: 1.005, currency: line.price.currency } }],
    });
    expect(threeDecimals.status).toBe(422);
    expect(threeDecimals.body.errors[0]?.path).toBe('lineItems.value.amount');
    for (const bad of [
      { lineItems: [{ id: line.id, type: 'QUANTITY' }] },
      { lineItems: [{ id: line.id, type: 'QUANTITY', quantity: 1.5 }] },
      { lineItems: [{ id: 'not-a-line', type: 'QUANTITY', quantity: 1 }] },
      { lineItems: [{ id: line.id, type: 'AMOUNT', value: { amount: '1.00', currency: 'XXX' } }] },
      {
        lineItems: [
          { id: line.id, type: 'AMOUNT', value: { amount: '0.00', currency: line.price.currency } },
        ],
      },
      {},
    ]) {
      const res = await refund({ payment: { id: form.payment.id }, reason: 'REFUND', ...bad });
      expect(res.status, JSON.stringify(bad)).toBe(422);
      expect(res.body.errors[0]?.code).toBe('VALIDATION_ERROR');
    }
    const made = (await effects('refund.created')).filter((e) => e.target === form.id);
    expect(made).toHaveLength(1);
    expect(made[0]!.data).toMatchObject({
      paymentId: form.payment.id,
      reason: 'REFUND',
      lineItems: [{ id: line.id, type: 'QUANTITY', quantity: 1 }],
    });
  });

  it('refunds delivery; refuses unknown payments (404), another order’s id, unpaid orders, more than paid', async () => {
    const form = forms.filter((f) => paid(f) && cents(f.delivery.cost.amount) > 0)[3]!;
    const delivery = await refund({
      payment: { id: form.payment.id },
      reason: 'REFUND',
      delivery: { value: form.delivery.cost },
    });
    expect(delivery.status).toBe(200);
    expect(delivery.body).toMatchObject({
      delivery: { value: form.delivery.cost },
      totalValue: form.delivery.cost,
    });
    const twice = await refund({
      payment: { id: form.payment.id },
      reason: 'REFUND',
      delivery: { value: form.delivery.cost },
    });
    expect(twice.status).toBe(422);
    expect(twice.body.errors[0]?.message).toMatch(/^Dostawa: wartość przekroczona, dostępna: 0,00/);
    expect(
      (
        await refund({
          payment: { id: '00000000-0000-4000-8000-000000000000' },
          reason: 'REFUND',
          delivery: { value: form.delivery.cost },
        })
      ).status,
    ).toBe(404);
    const another = forms.find((f) => f.id !== form.id)!;
    const mismatch = await refund({
      payment: { id: form.payment.id },
      order: { id: another.id },
      reason: 'REFUND',
      delivery: { value: form.delivery.cost },
    });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.errors[0]?.path).toBe('order.id');
    const unpaid = forms.find((f) => !f.payment.finishedAt)!;
    const notPaid = await refund({
      payment: { id: unpaid.payment.id },
      order: { id: unpaid.id },
      reason: 'REFUND',
      lineItems: [{ id: unpaid.lineItems[0]!.id, type: 'QUANTITY', quantity: 1 }],
    });
    expect(notPaid.status).toBe(422);
    expect(notPaid.body.errors[0]?.message).toMatch(/has not been paid/);
    // Another seller's payment is unknown to this one.
    const foreign = await call('POST', '/payments/refunds', {
      token: otherToken,
      body: { payment: { id: form.payment.id }, reason: 'REFUND', delivery: { value: form.delivery.cost } },
    });
    expect(foreign.status).toBe(404);
  });

  it('answers a repeated commandId with the same refund, once — also after a lost answer', async () => {
    const [a, b] = forms.filter((f) => paid(f)).slice(5, 7);
    const commandId = '5b2d6a0e-3c1f-4a7b-9d2e-1f0a9b8c7d61';
    const body = {
      payment: { id: a!.payment.id },
      reason: 'REFUND',
      commandId,
      lineItems: [{ id: a!.lineItems[0]!.id, type: 'QUANTITY', quantity: 1 }],
    };
    const first = await refund(body);
    const again = await refund(body);
    expect(again).toEqual(first);
    const byCommand = async (id: string) =>
      (await effects('refund.created')).filter((e) => e.data?.commandId === id);
    expect(await byCommand(commandId)).toHaveLength(1);

    await control('PUT', '/faults', { lostAnswers: 1, lostAnswerRoutes: ['POST /payments/refunds'] });
    const lostCommand = '0c7e7d52-8f3a-4d1b-a6e2-93b4c5d6e7f8';
    const lostBody = {
      payment: { id: b!.payment.id },
      reason: 'CANCELLED_BY_BUYER',
      commandId: lostCommand,
      lineItems: b!.lineItems.map((l) => ({ id: l.id, type: 'QUANTITY', quantity: l.quantity })),
    };
    await expect(refund(lostBody)).rejects.toThrow();
    expect(await byCommand(lostCommand)).toHaveLength(1); // it took effect
    const retried = await refund(lostBody);
    expect(retried.status).toBe(200);
    expect(await byCommand(lostCommand)).toHaveLength(1);
    expect((await effects('refund.created')).filter((e) => e.target === b!.id)).toHaveLength(1);
    // Without the commandId the same body is a new refund, refused: nothing is left to refund.
    const { commandId: _, ...fresh } = lostBody;
    expect((await refund(fresh)).status).toBe(422);
  });

  it('finishes the order’s open return when its payment is refunded (#10150)', async () => {
    const form = forms.filter((f) => paid(f))[10]!;
    const line = form.lineItems[0]!;
    const opened = await control<CustomerReturn>('POST', '/returns', {
      checkoutFormId: form.id,
      items: [{ lineItemId: line.id, quantity: 1 }],
      reason: { type: 'DAMAGED', userComment: 'Pęknięte' },
    });
    expect(opened.body).toMatchObject({
      status: 'DELIVERED',
      items: [{ offerId: line.offer.id, quantity: 1 }],
    });
    const made = await refund({
      payment: { id: form.payment.id },
      order: { id: form.id },
      reason: 'REFUND',
      lineItems: [{ id: line.id, type: 'QUANTITY', quantity: 1 }],
    });
    expect(made.status).toBe(200);
    const after = await call<CustomerReturn>('GET', `/order/customer-returns/${opened.body.id}`);
    expect(after.body.status).toBe('FINISHED');
    const late = await call<Errors>('POST', `/order/customer-returns/${opened.body.id}/rejection`, {
      body: { rejection: { code: 'ITEM_MISMATCH' } },
    });
    expect(late.status).toBe(422);
  });

  it('lists refunds newest first, by id, payment, order and time; NEW turns SUCCESS', async () => {
    const all = await call<{ refunds: Refund[]; count: number; totalCount: number }>(
      'GET',
      '/payments/refunds',
    );
    expect(all.status).toBe(200);
    expect(all.body.totalCount).toBeGreaterThanOrEqual(4);
    const times = all.body.refunds.map((r) => (r as unknown as { createdAt: string }).createdAt);
    expect(times).toEqual([...times].sort().reverse());
    const newest = all.body.refunds[0]!;
    expect(
      (await call<{ refunds: Refund[] }>('GET', `/payments/refunds?id=${newest.id}`)).body.refunds,
    ).toEqual([newest]);
    const byOrder = await call<{ refunds: Refund[] }>('GET', `/payments/refunds?order.id=${newest.order.id}`);
    expect(byOrder.body.refunds.every((r) => r.order.id === newest.order.id)).toBe(true);
    const byPayment = await call<{ totalCount: number }>(
      'GET',
      `/payments/refunds?payment.id=${newest.payment.id}`,
    );
    expect(byPayment.body.totalCount).toBe(byOrder.body.refunds.length);
    const paged = await call<{ count: number; totalCount: number }>(
      'GET',
      '/payments/refunds?limit=1&offset=1',
    );
    expect(paged.body).toMatchObject({ count: 1, totalCount: all.body.totalCount });
    const future = await call<{ count: number }>(
      'GET',
      '/payments/refunds?occurredAt.gte=2100-01-01T00:00:00Z',
    );
    expect(future.body.count).toBe(0);
    expect((await call('GET', '/payments/refunds?limit=101')).status).toBe(422);
    expect((await call('GET', '/payments/refunds?order.id=nope')).status).toBe(422);
    expect(
      (await call<{ refunds: Refund[] }>('GET', '/payments/refunds', { token: otherToken })).body.refunds,
    ).toEqual([]);

    const form = forms.filter((f) => paid(f))[12]!;
    const made = await refund({
      payment: { id: form.payment.id },
      reason: 'REFUND',
      lineItems: [{ id: form.lineItems[0]!.id, type: 'QUANTITY', quantity: 1 }],
    });
    const read = async () =>
      (await call<{ refunds: Refund[] }>('GET', `/payments/refunds?id=${made.body.id}`)).body.refunds[0]
        ?.status;
    expect(await read()).toBe('NEW');
    await new Promise((r) => setTimeout(r, 450));
    expect(await read()).toBe('SUCCESS');
  });
});

describe('Allegro sandbox returns control routes', () => {
  it('opens returns in words-checked input and sets their status', async () => {
    const form = forms.find((f) => paid(f))!;
    const line = form.lineItems[0]!;
    const unknownForm = await control<{ error: { message: string } }>('POST', '/returns', {
      checkoutFormId: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknownForm.status).toBe(400);
    expect(unknownForm.body.error.message).toMatch(/No visible checkout form/);
    const badLine = await control<{ error: { message: string } }>('POST', '/returns', {
      checkoutFormId: form.id,
      items: [{ lineItemId: 'nope', quantity: 1 }],
    });
    expect(badLine.status).toBe(400);
    expect(badLine.body.error.message).toMatch(/is not on checkout form/);
    const tooMany = await control<{ error: { message: string } }>('POST', '/returns', {
      checkoutFormId: form.id,
      items: [{ lineItemId: line.id, quantity: line.quantity + 1 }],
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toMatch(/more than that/);
    const opened = await control<CustomerReturn>('POST', '/returns', {
      checkoutFormId: form.id,
      status: 'IN_TRANSIT',
      reason: 'TOO_SMALL',
    });
    expect(opened.status).toBe(201);
    expect(opened.body.items).toHaveLength(form.lineItems.length);
    expect(opened.body).toMatchObject({ status: 'IN_TRANSIT', orderId: form.id });
    expect(opened.body.items[0]!.reason.type).toBe('TOO_SMALL');
    const moved = await control<CustomerReturn>('PUT', `/returns/${opened.body.id}`, { status: 'DELIVERED' });
    expect(moved).toMatchObject({ status: 200, body: { status: 'DELIVERED' } });
    expect((await control('PUT', '/returns/nope', { status: 'DELIVERED' })).status).toBe(404);
    expect((await control('PUT', `/returns/${opened.body.id}`, { status: 'LOST' })).status).toBe(400);
    const state = await control<{ effects: Effect[] }>('GET', '/state');
    expect(state.status).toBe(200);
  });
});
