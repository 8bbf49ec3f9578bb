import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidNip } from '../sandbox/data/catalog.ts';
import { startSandbox } from '../sandbox/index.ts';
import { apiHeaders, obtainTokens } from '../sandbox/testing/consent.ts';

interface Price {
  amount: string;
  currency: string;
}
interface Form {
  id: string;
  revision: string;
  status: string;
  updatedAt: string;
  buyer: { login: string };
  payment: { type: string; paidAmount?: Price; finishedAt?: string };
  delivery: { cost: Price };
  invoice: {
    required: boolean;
    address?: {
      countryCode: string;
      company?: { taxId?: string; ids: { type: string; value: string }[]; vatPayerStatus: string };
    };
  };
  lineItems: {
    quantity: number;
    price: Price;
    originalPrice: Price;
    tax: { rate: string };
    offer: { id: string };
    discounts?: { type: string }[];
    deposit?: { price: Price };
    selectedAdditionalServices?: { price: Price; quantity: number }[];
  }[];
  marketplace: { id: string };
  summary: { totalToPay: Price };
}
interface Event {
  id: string;
  type: string;
  occurredAt: string;
  order: { checkoutForm: { id: string; revision: string }; seller: { id: string } };
}

let sb: RunningSandbox;
let headers: Record<string, string>;
let otherHeaders: Record<string, string>;

async function get<T>(path: string, h = headers): Promise<{ status: number; body: T }> {
  const res = await fetch(sb.url + path, { headers: h });
  return { status: res.status, body: (await res.json()) as T };
}
const control = (path: string, body: unknown) =>
  fetch(`${sb.controlUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** A fixed clock start makes whole forms (dates included) comparable across sandboxes. */
const extra = { anchor: '2026-03-01T12:00:00.000Z' };

beforeAll(async () => {
  sb = await startSandbox({ orders: 600, seed: 'orders-test', rateLimit: false, extra });
  headers = apiHeaders((await obtainTokens({ sandbox: sb, account: 0 })).access_token);
  otherHeaders = apiHeaders((await obtainTokens({ sandbox: sb, account: 1 })).access_token);
});
afterAll(async () => {
  await sb.close();
});

const units = (amount: string): number => {
  expect(amount).toMatch(/^\d+\.\d{2}$/);
  return Math.round(Number(amount) * 100);
};

describe('Allegro sandbox orders', () => {
  it('generates realistic, internally consistent checkout forms', async () => {
    const forms: Form[] = [];
    for (let offset = 0; offset < 600; offset += 100) {
      const { body } = await get<{ checkoutForms: Form[] }>(
        `/order/checkout-forms?offset=${offset}&limit=100`,
      );
      forms.push(...body.checkoutForms);
    }
    expect(forms).toHaveLength(600);
    expect(new Set(forms.map((f) => f.id)).size).toBe(600);
    const seen = {
      vat: new Set<string>(),
      payment: new Set<string>(),
      status: new Set<string>(),
      lines: new Set<number>(),
    };
    let invoices = 0;
    let companies = 0;
    const currencyOf: Record<string, string> = {
      'allegro-pl': 'PLN',
      'allegro-cz': 'CZK',
      'allegro-sk': 'EUR',
      'allegro-hu': 'HUF',
    };
    const idTypes: Record<string, string[]> = {
      PL: ['PL_NIP'],
      CZ: ['CZ_ICO', 'CZ_DIC', 'VAT_EU'],
      SK: ['SK_ICO', 'SK_IC_DPH', 'VAT_EU'],
      HU: ['HU_ADOSZAM', 'VAT_EU'],
    };
    const extras = { discounts: 0, deposits: 0, services: 0, marketplaces: new Set<string>() };
    for (const f of forms) {
      // Every amount is in the marketplace's currency (#7980, #9529) …
      const currency = currencyOf[f.marketplace.id];
      extras.marketplaces.add(f.marketplace.id);
      expect(currency, f.marketplace.id).toBeDefined();
      // … and totalToPay includes deposits and additional services besides lines and delivery.
      let lines = 0;
      for (const l of f.lineItems) {
        expect(l.price.currency).toBe(currency);
        lines += units(l.price.amount) * l.quantity;
        if (l.deposit) {
          extras.deposits++;
          lines += units(l.deposit.price.amount) * l.quantity;
        }
        for (const service of l.selectedAdditionalServices ?? []) {
          extras.services++;
          lines += units(service.price.amount) * service.quantity;
        }
        if (l.discounts) {
          extras.discounts++;
          expect(units(l.price.amount)).toBeLessThanOrEqual(units(l.originalPrice.amount));
        }
      }
      expect(f.summary.totalToPay.currency).toBe(currency);
      expect(units(f.summary.totalToPay.amount)).toBe(lines + units(f.delivery.cost.amount));
      if (f.payment.paidAmount) expect(f.payment.paidAmount.amount).toBe(f.summary.totalToPay.amount);
      f.lineItems.forEach((l) => seen.vat.add(l.tax.rate));
      seen.payment.add(f.payment.type);
      seen.status.add(f.status);
      seen.lines.add(f.lineItems.length);
      if (f.invoice.required) invoices++;
      if (f.payment.type === 'EXTENDED_TERM') expect(f.invoice.required).toBe(true);
      const company = f.invoice.address?.company;
      if (company) {
        companies++;
        // Tax ids come in company.ids[]; the deprecated taxId only on Polish forms, equal to the NIP.
        const country = f.invoice.address!.countryCode;
        expect(company.ids.length).toBeGreaterThan(0);
        for (const id of company.ids) expect(idTypes[country]).toContain(id.type);
        expect(['ACTIVE', 'NON_ACTIVE', 'NOT_APPLICABLE']).toContain(company.vatPayerStatus);
        if (country === 'PL') {
          expect(isValidNip(company.ids[0]!.value)).toBe(true);
          expect(company.taxId).toBe(company.ids[0]!.value);
        } else expect(company.taxId).toBeUndefined();
      }
    }
    expect([...extras.marketplaces].sort()).toEqual(['allegro-cz', 'allegro-hu', 'allegro-pl', 'allegro-sk']);
    expect(extras.discounts).toBeGreaterThan(10);
    expect(extras.deposits).toBeGreaterThan(5);
    expect(extras.services).toBeGreaterThan(5);
    expect([...seen.vat].sort()).toEqual(['0.00', '23.00', '5.00', '8.00']);
    expect([...seen.payment].sort()).toEqual([
      'CASH_ON_DELIVERY',
      'EXTENDED_TERM',
      'ONLINE',
      'WIRE_TRANSFER',
    ]);
    expect([...seen.status].sort()).toEqual(['BOUGHT', 'CANCELLED', 'FILLED_IN', 'READY_FOR_PROCESSING']);
    expect(seen.lines.size).toBeGreaterThan(2);
    expect(invoices).toBeGreaterThan(60);
    expect(invoices).toBeLessThan(540);
    expect(companies).toBeGreaterThan(20);
    const paid = forms.filter((f) => f.payment.paidAmount).length;
    expect(paid).toBeGreaterThan(100);
    expect(paid).toBeLessThan(600);
  });

  it('is deterministic for a seed and different for another seed', async () => {
    const again = await startSandbox({ orders: 600, seed: 'orders-test', rateLimit: false, extra });
    const other = await startSandbox({ orders: 600, seed: 'another', rateLimit: false, extra });
    try {
      const firstOf = async (s: RunningSandbox) => {
        const h = apiHeaders((await obtainTokens({ sandbox: s, account: 0 })).access_token);
        const body = (await (
          await fetch(`${s.url}/order/checkout-forms?limit=5&offset=7`, { headers: h })
        ).json()) as {
          checkoutForms: Form[];
        };
        return body.checkoutForms;
      };
      const mine = await firstOf(sb);
      expect(await firstOf(again)).toEqual(mine);
      expect((await firstOf(other)).map((f) => f.id)).not.toEqual(mine.map((f) => f.id));
    } finally {
      await Promise.all([again.close(), other.close()]);
    }
  });

  it('validates limit and offset bounds with 422', async () => {
    for (const q of [
      'limit=101',
      'limit=0',
      'offset=-1',
      'limit=abc',
      'status=NOPE',
      'updatedAt.gte=yesterday',
    ]) {
      const { status, body } = await get<{ errors: { code: string; path: string | null }[] }>(
        `/order/checkout-forms?${q}`,
      );
      expect(status, q).toBe(422);
      expect(body.errors[0]?.code).toBe('VALIDATION_ERROR');
    }
    for (const q of ['limit=1001', 'limit=0', 'from=abc', 'type=NOPE']) {
      expect((await get(`/order/events?${q}`)).status, q).toBe(422);
    }
  });

  it('pages no deeper than offset + limit = 10 000 (422 VALIDATION_ERROR) and counts 0 on empty pages', async () => {
    // reference/README.md "Orders", Correction: #4027, #4052, #5998; count/totalCount 0, not the spec's minimum 1.
    const deep = await get<{ errors: { code: string }[] }>('/order/checkout-forms?offset=9901&limit=100');
    expect(deep.status).toBe(422);
    expect(deep.body.errors[0]?.code).toBe('VALIDATION_ERROR');
    expect((await get('/order/checkout-forms?offset=9900&limit=100')).status).toBe(200);
    const empty = await get<{ checkoutForms: unknown[]; count: number; totalCount: number }>(
      '/order/checkout-forms?limit=10&updatedAt.lte=2000-01-01T00:00:00.000Z',
    );
    expect(empty.body).toEqual({ checkoutForms: [], count: 0, totalCount: 0 });
    const past = await get<{ count: number; totalCount: number }>(
      '/order/checkout-forms?offset=900&limit=10',
    );
    expect(past.body).toMatchObject({ count: 0, totalCount: 600 });
  });

  it('gives events 16-digit ids, READY_FOR_PROCESSING twice for deferred payments, BUYER_CANCELLED after READY', async () => {
    const events: Event[] = [];
    for (let from = ''; ;) {
      const page = await get<{ events: Event[] }>(`/order/events?limit=1000${from ? `&from=${from}` : ''}`);
      if (page.body.events.length === 0) break;
      events.push(...page.body.events);
      from = page.body.events.at(-1)!.id;
    }
    expect(events.every((e) => /^\d{16}$/.test(e.id))).toBe(true);
    const byForm = new Map<string, string[]>();
    for (const e of events) {
      const id = e.order.checkoutForm.id;
      byForm.set(id, [...(byForm.get(id) ?? []), e.type]);
    }
    const twice = [...byForm].filter(
      ([, types]) => types.filter((t) => t === 'READY_FOR_PROCESSING').length === 2,
    );
    expect(twice.length).toBeGreaterThan(0);
    for (const [id] of twice.slice(0, 3)) {
      const form = (await get<Form>(`/order/checkout-forms/${id}`)).body;
      expect(form.payment.type).toBe('EXTENDED_TERM');
    }
    const cancelledAfterReady = [...byForm].filter(
      ([, types]) =>
        types.indexOf('BUYER_CANCELLED') > types.indexOf('READY_FOR_PROCESSING') &&
        types.includes('READY_FOR_PROCESSING'),
    );
    expect(cancelledAfterReady.length).toBeGreaterThan(0);
    const form = (await get<Form>(`/order/checkout-forms/${cancelledAfterReady[0]![0]}`)).body;
    expect(form.status).toBe('CANCELLED');
  });

  it('filters by status and updatedAt and pages consistently', async () => {
    const all = await get<{ totalCount: number; count: number }>('/order/checkout-forms?limit=1');
    expect(all.body).toMatchObject({ totalCount: 600, count: 1 });
    const cancelled = await get<{ checkoutForms: Form[]; totalCount: number }>(
      '/order/checkout-forms?status=CANCELLED&limit=100',
    );
    expect(cancelled.body.totalCount).toBeGreaterThan(20);
    expect(cancelled.body.checkoutForms.every((f) => f.status === 'CANCELLED')).toBe(true);

    const newest = await get<{ checkoutForms: Form[] }>('/order/checkout-forms?limit=100&sort=-updatedAt');
    const pivot = newest.body.checkoutForms[49]?.updatedAt ?? '';
    const since = await get<{ checkoutForms: Form[]; totalCount: number }>(
      `/order/checkout-forms?limit=100&updatedAt.gte=${encodeURIComponent(pivot)}`,
    );
    expect(since.body.totalCount).toBeGreaterThanOrEqual(50);
    expect(since.body.totalCount).toBeLessThan(60);
    expect(since.body.checkoutForms.every((f) => f.updatedAt >= pivot)).toBe(true);
    const until = await get<{ totalCount: number }>(
      `/order/checkout-forms?limit=1&updatedAt.lte=${encodeURIComponent(pivot)}`,
    );
    // Orders updated exactly at the pivot are in both sets.
    expect(until.body.totalCount + since.body.totalCount).toBeGreaterThanOrEqual(600);
  });

  it('serves one form by id, 404 for unknown ids or another seller’s, 422 for malformed', async () => {
    const { body } = await get<{ checkoutForms: Form[] }>('/order/checkout-forms?limit=1&offset=3');
    const form = body.checkoutForms[0];
    if (!form) throw new Error('no form');
    expect((await get<Form>(`/order/checkout-forms/${form.id}`)).body).toEqual(form);
    expect((await get(`/order/checkout-forms/${form.id}`, otherHeaders)).status).toBe(404);
    expect((await get('/order/checkout-forms/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await get('/order/checkout-forms/not-a-uuid')).status).toBe(422);
  });

  it('reads events from a cursor, by type, and reports the latest', async () => {
    const first = await get<{ events: Event[] }>('/order/events?limit=50');
    expect(first.body.events).toHaveLength(50);
    const ids = first.body.events.map((e) => BigInt(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const cursor = first.body.events[24]?.id ?? '';
    const next = await get<{ events: Event[] }>(`/order/events?limit=10&from=${cursor}`);
    expect(next.body.events.map((e) => e.id)).toEqual(first.body.events.slice(25, 35).map((e) => e.id));
    const cancelled = await get<{ events: Event[] }>(
      '/order/events?limit=100&type=BUYER_CANCELLED&type=AUTO_CANCELLED',
    );
    expect(cancelled.body.events.length).toBeGreaterThan(20);
    expect(
      cancelled.body.events.every((e) => e.type === 'BUYER_CANCELLED' || e.type === 'AUTO_CANCELLED'),
    ).toBe(true);
    const seller = await get<{ id: string }>('/me');
    expect(first.body.events.every((e) => e.order.seller.id === seller.body.id)).toBe(true);

    let last = '';
    let count = 0;
    for (let from = ''; ;) {
      const page = await get<{ events: Event[] }>(`/order/events?limit=1000${from ? `&from=${from}` : ''}`);
      if (page.body.events.length === 0) break;
      count += page.body.events.length;
      from = last = page.body.events.at(-1)?.id ?? '';
    }
    expect(count).toBeGreaterThan(1200);
    const stats = await get<{ latestEvent: { id: string } }>('/order/event-stats');
    expect(stats.body.latestEvent.id).toBe(last);
  });

  it('adds live orders with their events and keeps them per seller', async () => {
    const before = await get<{ latestEvent: { id: string } }>('/order/event-stats');
    const added = (await (await control('/orders', { count: 2, account: 'sklep-alfa' })).json()) as {
      orders: { id: string }[];
    };
    expect(added.orders).toHaveLength(2);
    const events = await get<{ events: Event[] }>(`/order/events?from=${before.body.latestEvent.id}`);
    expect(events.body.events[0]?.type).toBe('BOUGHT');
    expect(new Set(events.body.events.map((e) => e.order.checkoutForm.id))).toEqual(
      new Set(added.orders.map((o) => o.id)),
    );
    const newest = await get<{ checkoutForms: Form[]; totalCount: number }>('/order/checkout-forms?limit=2');
    expect(newest.body.totalCount).toBe(602);
    expect(newest.body.checkoutForms.map((f) => f.id).sort()).toEqual(added.orders.map((o) => o.id).sort());
    expect(
      (await get<{ totalCount: number }>('/order/checkout-forms?limit=1', otherHeaders)).body.totalCount,
    ).toBe(600);
  });

  it('replaces a merged checkout form: the old id 404s, a new form and its events appear', async () => {
    const { body } = await get<{ checkoutForms: Form[] }>('/order/checkout-forms?limit=1&offset=10');
    const old = body.checkoutForms[0];
    if (!old) throw new Error('no form');
    const before = await get<{ latestEvent: { id: string } }>('/order/event-stats');
    const merged = (await (await control('/merge', { checkoutFormId: old.id })).json()) as {
      oldId: string;
      newId: string;
    };
    expect(merged.oldId).toBe(old.id);
    expect((await get(`/order/checkout-forms/${old.id}`)).status).toBe(404);
    expect((await get(`/order/checkout-forms/${merged.newId}`)).status).toBe(200);
    const events = await get<{ events: Event[] }>(`/order/events?from=${before.body.latestEvent.id}`);
    expect(events.body.events.map((e) => e.order.checkoutForm.id)).toContain(merged.newId);
    const list = await get<{ checkoutForms: Form[] }>('/order/checkout-forms?limit=100');
    expect(list.body.checkoutForms.map((f) => f.id)).not.toContain(old.id);
  });

  it('serves the seller’s offers and hides other sellers’', async () => {
    const { body } = await get<{ checkoutForms: Form[] }>('/order/checkout-forms?limit=1');
    const offerId = body.checkoutForms[0]?.lineItems[0]?.offer.id ?? '';
    const offer = await get<Record<string, unknown>>(`/sale/product-offers/${offerId}`);
    expect(offer.status).toBe(200);
    expect(offer.body).toMatchObject({
      id: offerId,
      sellingMode: { price: { amount: expect.stringMatching(/^\d+\.\d{2}$/), currency: 'PLN' } },
      external: { id: expect.any(String) },
      taxSettings: { rates: [{ rate: expect.stringMatching(/^(23|8|5|0)\.00$/) }] },
      stock: { available: expect.any(Number) },
      publication: { status: expect.any(String) },
    });
    expect((await get(`/sale/product-offers/${offerId}`, otherHeaders)).status).toBe(404);
    expect((await get('/sale/product-offers/123')).status).toBe(404);
  });

  it('simulates live trade on a timer when liveTradeMs is set', async () => {
    const live = await startSandbox({
      orders: 5,
      seed: 'live',
      rateLimit: false,
      extra: { liveTradeMs: 40, accounts: 2 },
    });
    try {
      await new Promise((r) => setTimeout(r, 400));
      const state = (await (await fetch(`${live.controlUrl}/state`)).json()) as {
        accounts: { orders: number }[];
      };
      expect(state.accounts.every((a) => a.orders > 5)).toBe(true);
      const h = apiHeaders((await obtainTokens({ sandbox: live, account: 1 })).access_token);
      const events = (await (await fetch(`${live.url}/order/events?limit=1000`, { headers: h })).json()) as {
        events: Event[];
      };
      expect(new Set(events.events.map((e) => e.order.checkoutForm.id)).size).toBeGreaterThan(5);
    } finally {
      await live.close();
    }
  });
  it('lets a buyer cancel an order after READY_FOR_PROCESSING; a changed form keeps its content', async () => {
    const ready = (
      await get<{ checkoutForms: Form[] }>('/order/checkout-forms?status=READY_FOR_PROCESSING&limit=5')
    ).body.checkoutForms[0]!;
    const cancelled = await control('/buyer-cancel', { checkoutFormId: ready.id });
    expect(cancelled.status).toBe(200);
    const { revision } = (await cancelled.json()) as { revision: string };
    const after = (await get<Form>(`/order/checkout-forms/${ready.id}`)).body;
    expect(after).toMatchObject({ status: 'CANCELLED', revision });
    expect(after.revision).not.toBe(ready.revision);
    // Everything else is as the seed made it (lines, payment, buyer), not redrawn.
    expect({ ...after, status: ready.status, revision: ready.revision, updatedAt: ready.updatedAt }).toEqual(
      ready,
    );
    const { body } = await get<{ events: Event[] }>(`/order/events?type=BUYER_CANCELLED&limit=1000`);
    expect(
      body.events.filter((e) => e.order.checkoutForm.id === ready.id).at(-1)?.order.checkoutForm.revision,
    ).toBe(revision);
    expect(
      (
        await get<{ checkoutForms: Form[] }>('/order/checkout-forms?status=CANCELLED&limit=100')
      ).body.checkoutForms.map((f) => f.id),
    ).toContain(ready.id);
    expect((await control('/buyer-cancel', { checkoutFormId: ready.id })).status).toBe(422);
  });
});
