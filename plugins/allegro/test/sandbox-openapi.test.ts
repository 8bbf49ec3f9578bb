import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import { ALLEGRO_ACCEPT, apiHeaders, obtainTokens } from '../sandbox/testing/consent.ts';
import {
  DOCUMENTED_EXCEPTIONS,
  loadResponseValidator,
  type ResponseValidator,
} from '../sandbox/testing/openapi.ts';

/**
 * Every response a plugin uses is checked against Allegro's own OpenAPI spec, in strict mode:
 * required fields, types, enums and formats must match, and no field may appear that the spec
 * does not declare.
 */
let sb: RunningSandbox;
let token: string;
let validator: ResponseValidator;

async function check(input: {
  method: string;
  specPath: string;
  url: string;
  status: number;
  body?: unknown;
  raw?: Buffer;
  headers?: Record<string, string>;
}): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { ...apiHeaders(token), ...input.headers };
  let body: string | Uint8Array | undefined;
  if (input.raw) {
    headers['content-type'] = 'application/pdf';
    body = new Uint8Array(input.raw);
  } else if (input.body !== undefined) {
    headers['content-type'] = headers.accept ?? ALLEGRO_ACCEPT;
    body = JSON.stringify(input.body);
  }
  const res = await fetch(sb.url + input.url, { method: input.method, headers, body });
  expect(res.status, `${input.method} ${input.url}`).toBe(input.status);
  const json = (await res.json()) as Record<string, unknown>;
  const errors = validator.validate({
    method: input.method,
    path: input.specPath,
    status: input.status,
    body: json,
  });
  expect(errors, `${input.method} ${input.url} → ${input.status}`).toBeNull();
  return json;
}

beforeAll(async () => {
  validator = loadResponseValidator({ strict: true });
  sb = await startSandbox({
    orders: 300,
    seed: 'openapi',
    rateLimit: false,
    extra: { invoiceScanMs: 2_000, invoiceMetadataCooldownMs: 5_000 },
  });
  token = (await obtainTokens({ sandbox: sb })).access_token;
});
afterAll(async () => {
  await sb.close();
});

describe('Allegro sandbox responses match the OpenAPI spec', () => {
  it('has a validator that rejects what the spec does not allow', () => {
    expect(validator.validate({ method: 'GET', path: '/me', status: 200, body: { id: 1 } })).not.toBeNull();
    expect(
      validator.validate({ method: 'GET', path: '/me', status: 200, body: { id: '1', invented: true } }),
    ).not.toBeNull();
    expect(
      validator.validate({
        method: 'GET',
        path: '/order/event-stats',
        status: 200,
        body: { latestEvent: { id: '1' } },
      }),
    ).not.toBeNull();
  });

  it('GET /me, /order/event-stats and /order/events', async () => {
    await check({ method: 'GET', specPath: '/me', url: '/me', status: 200 });
    await check({ method: 'GET', specPath: '/order/event-stats', url: '/order/event-stats', status: 200 });
    const events = await check({
      method: 'GET',
      specPath: '/order/events',
      url: '/order/events?limit=1000',
      status: 200,
    });
    expect((events.events as unknown[]).length).toBeGreaterThan(500);
  });

  it('every checkout form, in the list and one by one', async () => {
    for (let offset = 0; offset < 300; offset += 100) {
      const page = await check({
        method: 'GET',
        specPath: '/order/checkout-forms',
        url: `/order/checkout-forms?limit=100&offset=${offset}`,
        status: 200,
      });
      expect(page.count).toBe(100);
    }
    const page = await check({
      method: 'GET',
      specPath: '/order/checkout-forms',
      url: '/order/checkout-forms?limit=5',
      status: 200,
    });
    for (const form of page.checkoutForms as { id: string }[]) {
      await check({
        method: 'GET',
        specPath: '/order/checkout-forms/{id}',
        url: `/order/checkout-forms/${form.id}`,
        status: 200,
      });
    }
  });

  it('lists its documented exceptions, each with the correction behind it', () => {
    expect(DOCUMENTED_EXCEPTIONS.map((e) => e.where)).toEqual([
      'CheckoutForms.count, CheckoutForms.totalCount (minimum: 1)',
      'GET /order/checkout-forms: no 422 response',
      'POST /order/customer-returns/{customerReturnId}/rejection: no 404 response',
    ]);
    // Each names its source: a reference/README.md Correction, or the OpenAPI text it follows.
    for (const e of DOCUMENTED_EXCEPTIONS) expect(e.correction).toMatch(/Correction|\(OpenAPI\)/);
  });

  it('an empty page (count and totalCount 0, a documented exception)', async () => {
    const empty = await check({
      method: 'GET',
      specPath: '/order/checkout-forms',
      url: '/order/checkout-forms?limit=10&updatedAt.lte=2000-01-01T00:00:00.000Z',
      status: 200,
    });
    expect(empty).toMatchObject({ count: 0, totalCount: 0 });
    await check({
      method: 'GET',
      specPath: '/order/checkout-forms',
      url: '/order/checkout-forms?limit=100&offset=9950',
      status: 422,
    });
  });

  it('offers, invoices, fulfillment and their error bodies', async () => {
    const page = await check({
      method: 'GET',
      specPath: '/order/checkout-forms',
      url: '/order/checkout-forms?limit=100',
      status: 200,
    });
    const all = page.checkoutForms as {
      id: string;
      revision: string;
      invoice: { required: boolean };
      payment: { type: string };
      lineItems: { offer: { id: string } }[];
    }[];
    const asked = all.filter((f) => f.invoice.required && f.payment.type !== 'EXTENDED_TERM');
    const [first, second] = asked;
    const without = all.find((f) => !f.invoice.required);
    if (!first || !second || !without) throw new Error('not enough forms');
    const offerId = first.lineItems[0]?.offer.id ?? '';
    await check({
      method: 'GET',
      specPath: '/sale/product-offers/{offerId}',
      url: `/sale/product-offers/${offerId}`,
      status: 200,
    });
    await check({
      method: 'GET',
      specPath: '/sale/product-offers/{offerId}',
      url: '/sale/product-offers/10099999999',
      status: 404,
    });

    const invoices = '/order/checkout-forms/{id}/invoices';
    const file = '/order/checkout-forms/{id}/invoices/{invoiceId}/file';
    const created = await check({
      method: 'POST',
      specPath: invoices,
      url: `/order/checkout-forms/${first.id}/invoices`,
      status: 201,
      body: { file: { name: 'FV-1.pdf' }, invoiceNumber: 'FV/1' },
    });
    // Metadata again before a file: 429; an order without an invoice request: 422.
    await check({
      method: 'POST',
      specPath: invoices,
      url: `/order/checkout-forms/${first.id}/invoices`,
      status: 429,
      body: { file: { name: 'x.pdf' } },
    });
    await check({
      method: 'POST',
      specPath: invoices,
      url: `/order/checkout-forms/${without.id}/invoices`,
      status: 422,
      body: { file: { name: 'x.pdf' } },
    });
    await check({
      method: 'POST',
      specPath: invoices,
      url: `/order/checkout-forms/${second.id}/invoices`,
      status: 422,
      body: { file: {} },
    });
    await check({
      method: 'POST',
      specPath: invoices,
      url: '/order/checkout-forms/00000000-0000-4000-8000-000000000000/invoices',
      status: 404,
      body: { file: { name: 'x.pdf' } },
    });
    const filePath = `/order/checkout-forms/${first.id}/invoices/${String(created.id)}/file`;
    await check({
      method: 'PUT',
      specPath: file,
      url: filePath,
      status: 413,
      raw: Buffer.alloc(3 * 1024 * 1024 + 10, 0x25),
    });
    await check({
      method: 'PUT',
      specPath: file,
      url: filePath,
      status: 422,
      raw: Buffer.from('plain text'),
    });
    const ok = await fetch(sb.url + filePath, {
      method: 'PUT',
      headers: { ...apiHeaders(token), 'content-type': 'application/pdf' },
      body: new Uint8Array(Buffer.from('%PDF-1.7\n%%EOF\n')),
    });
    expect(ok.status).toBe(200);
    const scanning = await check({
      method: 'GET',
      specPath: invoices,
      url: `/order/checkout-forms/${first.id}/invoices`,
      status: 200,
    });
    expect(scanning).toMatchObject({ invoices: [{ file: { securityVerification: { status: 'WAITING' } } }] });
    await check({
      method: 'POST',
      specPath: invoices,
      url: `/order/checkout-forms/${first.id}/invoices`,
      status: 422,
      body: { file: { name: 'FV-2.pdf' }, invoiceNumber: 'FV/2' },
    });
    await check({
      method: 'PUT',
      specPath: file,
      url: filePath,
      status: 409,
      raw: Buffer.from('%PDF-1.7\n'),
    });
    await check({
      method: 'PUT',
      specPath: file,
      url: `/order/checkout-forms/${first.id}/invoices/nope/file`,
      status: 404,
      raw: Buffer.from('%PDF-'),
    });
    await new Promise((r) => setTimeout(r, 2_100));
    await check({
      method: 'POST',
      specPath: invoices,
      url: `/order/checkout-forms/${first.id}/invoices`,
      status: 201,
      body: { file: { name: 'FV-2.pdf' }, invoiceNumber: 'FV/2' },
    });
    const listed = await check({
      method: 'GET',
      specPath: invoices,
      url: `/order/checkout-forms/${first.id}/invoices`,
      status: 200,
    });
    expect(listed).toMatchObject({
      invoices: [
        { invoiceNumber: 'FV/1', file: { securityVerification: { status: 'ACCEPTED' } } },
        { invoiceNumber: 'FV/2' },
      ],
    });

    const fulfillment = '/order/checkout-forms/{id}/fulfillment';
    await check({
      method: 'PUT',
      specPath: fulfillment,
      url: `/order/checkout-forms/${second.id}/fulfillment?checkoutForm.revision=00000000`,
      status: 409,
      body: { status: 'PROCESSING' },
    });
    await check({
      method: 'PUT',
      specPath: fulfillment,
      url: `/order/checkout-forms/${second.id}/fulfillment`,
      status: 422,
      body: { status: 'RETURNED' },
    });
  });

  it('401 bodies follow AuthError (invalid_token, #13741)', async () => {
    const body = await check({
      method: 'GET',
      specPath: '/me',
      url: '/me',
      status: 401,
      headers: { authorization: 'Bearer nope' },
    });
    expect(body).toMatchObject({ error: 'invalid_token' });
  });

  it('events after live trade, fulfillment changes and merges still validate', async () => {
    const stats = await check({
      method: 'GET',
      specPath: '/order/event-stats',
      url: '/order/event-stats',
      status: 200,
    });
    await fetch(`${sb.controlUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"count":3}',
    });
    const page = await check({
      method: 'GET',
      specPath: '/order/checkout-forms',
      url: '/order/checkout-forms?limit=1&offset=50',
      status: 200,
    });
    const form = (page.checkoutForms as { id: string }[])[0];
    await fetch(`${sb.controlUrl}/merge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ checkoutFormId: form?.id }),
    });
    const from = (stats.latestEvent as { id: string }).id;
    const events = await check({
      method: 'GET',
      specPath: '/order/events',
      url: `/order/events?from=${from}`,
      status: 200,
    });
    expect((events.events as unknown[]).length).toBeGreaterThanOrEqual(4);
    await check({
      method: 'GET',
      specPath: '/order/checkout-forms',
      url: '/order/checkout-forms?limit=100&status=READY_FOR_PROCESSING',
      status: 200,
    });
  });

  it('customer returns (beta) and payment refunds, with their error bodies', async () => {
    const beta = { accept: 'application/vnd.allegro.beta.v1+json' };
    const list = await check({
      method: 'GET',
      specPath: '/order/customer-returns',
      url: '/order/customer-returns',
      status: 200,
      headers: beta,
    });
    const returns = list.customerReturns as { id: string; orderId: string; status: string }[];
    expect(returns.length).toBeGreaterThan(0);
    for (const r of returns) {
      await check({
        method: 'GET',
        specPath: '/order/customer-returns/{customerReturnId}',
        url: `/order/customer-returns/${r.id}`,
        status: 200,
        headers: beta,
      });
    }
    await check({
      method: 'GET',
      specPath: '/order/customer-returns',
      url: '/order/customer-returns?limit=0',
      status: 400,
      headers: beta,
    });
    await check({
      method: 'GET',
      specPath: '/order/customer-returns',
      url: '/order/customer-returns',
      status: 406,
    });
    await check({
      method: 'GET',
      specPath: '/order/customer-returns/{customerReturnId}',
      url: '/order/customer-returns/nope',
      status: 404,
      headers: beta,
    });
    // A cash-on-delivery return carries the buyer's bank account (CustomerReturnRefund).
    const page = await check({
      method: 'GET',
      specPath: '/order/checkout-forms',
      url: '/order/checkout-forms?limit=100&status=READY_FOR_PROCESSING',
      status: 200,
    });
    const forms = page.checkoutForms as {
      id: string;
      payment: { id: string; type: string; finishedAt?: string };
      lineItems: { id: string; price: { amount: string; currency: string } }[];
      delivery: { cost: { amount: string; currency: string } };
    }[];
    const cod = forms.find((f) => f.payment.type === 'CASH_ON_DELIVERY')!;
    const opened = (await (
      await fetch(`${sb.controlUrl}/returns`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ checkoutFormId: cod.id, status: 'CREATED' }),
      })
    ).json()) as { id: string; refund?: unknown };
    expect(opened.refund).toBeDefined();
    const rejection = '/order/customer-returns/{customerReturnId}/rejection';
    await check({
      method: 'POST',
      specPath: rejection,
      url: `/order/customer-returns/${opened.id}/rejection`,
      status: 422,
      headers: beta,
      body: { rejection: { code: 'REFUND_REJECTED' } },
    });
    await check({
      method: 'POST',
      specPath: rejection,
      url: `/order/customer-returns/${opened.id}/rejection`,
      status: 200,
      headers: beta,
      body: { rejection: { code: 'REFUND_REJECTED', reason: 'Zwrot po terminie.' } },
    });
    await check({
      method: 'GET',
      specPath: '/order/customer-returns/{customerReturnId}',
      url: `/order/customer-returns/${opened.id}`,
      status: 200,
      headers: beta,
    });
    await check({
      method: 'POST',
      specPath: rejection,
      url: '/order/customer-returns/nope/rejection',
      status: 404,
      headers: beta,
      body: { rejection: { code: 'ITEM_FIXED' } },
    });

    const paid = forms.filter((f) => f.payment.finishedAt && Number(f.delivery.cost.amount) > 0);
    const [a, b] = paid;
    if (!a || !b) throw new Error('not enough paid forms');
    const refunds = '/payments/refunds';
    await check({
      method: 'POST',
      specPath: refunds,
      url: refunds,
      status: 200,
      body: {
        payment: { id: a.payment.id },
        order: { id: a.id },
        commandId: 'c5a7d3e1-0b2f-4c6d-8e9f-0a1b2c3d4e5f',
        reason: 'REFUND',
        lineItems: [{ id: a.lineItems[0]!.id, type: 'QUANTITY', quantity: 1 }],
        delivery: { value: a.delivery.cost },
        sellerComment: 'Zwrot części zamówienia',
      },
    });
    await check({
      method: 'POST',
      specPath: refunds,
      url: refunds,
      status: 200,
      body: {
        payment: { id: b.payment.id },
        reason: 'COMPLAINT',
        lineItems: [
          {
            id: b.lineItems[0]!.id,
            type: 'AMOUNT',
            value: { amount: '1.00', currency: b.lineItems[0]!.price.currency },
          },
        ],
      },
    });
    await check({
      method: 'POST',
      specPath: refunds,
      url: refunds,
      status: 404,
      body: { payment: { id: '00000000-0000-4000-8000-000000000000' }, reason: 'REFUND' },
    });
    await check({
      method: 'POST',
      specPath: refunds,
      url: refunds,
      status: 422,
      body: { payment: { id: b.payment.id }, reason: 'REFUND' },
    });
    const listed = await check({ method: 'GET', specPath: refunds, url: refunds, status: 200 });
    expect(listed).toMatchObject({ count: 2, totalCount: 2 });
    await check({ method: 'GET', specPath: refunds, url: `${refunds}?limit=0`, status: 422 });
    const after = await check({
      method: 'GET',
      specPath: '/order/customer-returns',
      url: '/order/customer-returns?status=REJECTED,FINISHED',
      status: 200,
      headers: beta,
    });
    expect((after.customerReturns as unknown[]).length).toBeGreaterThan(0);
  });
});
