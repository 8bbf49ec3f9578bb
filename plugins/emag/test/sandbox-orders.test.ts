/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- these tests read untyped JSON off the wire */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startSandbox } from '../sandbox/index.ts';
import { emagCaller, type EmagCaller } from '../sandbox/client.ts';

// order/read and order/count over real HTTP (API doc "Processing orders", "Order filters").
/**
 * Whether a BG EIK (9 digits; weights 1–8, else 3–10, mod 11) or HU adószám (törzsszám weights
 * 9 7 3 1 9 7 3, mod 10) passes its check digit: written here from the published algorithms, apart
 * from the sandbox's and the host's code.
 */
function checkDigitHolds(code: string): boolean {
  const sum = (ds: string, ws: number[]) => ws.reduce((t, w, i) => t + w * Number(ds[i]), 0);
  const bg = /^BG(\d{9})$/.exec(code)?.[1];
  if (bg) {
    let c = sum(bg, [1, 2, 3, 4, 5, 6, 7, 8]) % 11;
    if (c === 10) c = sum(bg, [3, 4, 5, 6, 7, 8, 9, 10]) % 11;
    return (c === 10 ? 0 : c) === Number(bg[8]);
  }
  const hu = /^(\d{8})-\d-\d{2}$/.exec(code)?.[1];
  if (hu) return (10 - (sum(hu, [9, 7, 3, 1, 9, 7, 3]) % 10)) % 10 === Number(hu[7]);
  return false;
}

let sb: RunningSandbox;
let ro: EmagCaller;
type Order = Record<string, any>;

beforeAll(async () => {
  sb = await startSandbox({
    orders: 2000,
    seed: 'orders-test',
    rateLimit: false,
    extra: { now: '2026-06-30T12:00:00Z' },
  });
  ro = emagCaller({
    url: sb.url,
    platform: 'ro',
    ...(sb.credentials as { username: string; password: string }),
  });
});
afterAll(() => sb.close());

const caller = (platform: string, kind = 'main') =>
  emagCaller({
    url: sb.url,
    platform,
    username: `${platform}-${kind}@sandbox.emag`,
    password: `sandbox-${platform}-${kind}`,
  });

describe('order/read', () => {
  it('accepts form-encoded brackets, JSON {data} and bare JSON alike', async () => {
    const filters = { currentPage: 2, itemsPerPage: 5 };
    const form = await ro.call('order/read', filters, { encoding: 'form' });
    const json = await ro.call('order/read', filters, { encoding: 'json' });
    const bare = await ro.call('order/read', filters, { encoding: 'bare-json' });
    expect(form.status).toBe(200);
    expect(form.body.isError).toBe(false);
    expect(form.body.messages).toEqual([]);
    expect((form.body.results as Order[]).length).toBe(5);
    expect(json.body.results).toEqual(form.body.results);
    expect(bare.body.results).toEqual(form.body.results);
  });

  it('pages with itemsPerPage up to 100 and refuses more as a logical error', async () => {
    const page = await ro.call('order/read', { itemsPerPage: 100 });
    expect((page.body.results as Order[]).length).toBe(100);
    const tooMany = await ro.call('order/read', { itemsPerPage: 101 });
    expect(tooMany.status).toBe(200);
    expect(tooMany.body.isError).toBe(true);
    expect(tooMany.body.messages?.[0]).toMatch(/itemsPerPage/);
    const p1 = (await ro.call('order/read', { itemsPerPage: 10, currentPage: 1 })).body.results as Order[];
    const p2 = (await ro.call('order/read', { itemsPerPage: 10, currentPage: 2 })).body.results as Order[];
    expect(new Set([...p1, ...p2].map((o) => o.id)).size).toBe(20);
  });

  it('serves order ids above 2^31 as JSON numbers', async () => {
    const res = await ro.call('order/read', { itemsPerPage: 3 });
    const first = (res.body.results as Order[])[0]!;
    expect(typeof first.id).toBe('number');
    expect(first.id).toBeGreaterThan(2 ** 31);
    expect(res.text).toContain(`"id":${first.id}`);
  });

  it('defaults to type 3 and returns type 2 (FBE) orders only when asked', async () => {
    const fbe = caller('ro', 'fbe');
    const byDefault = (await fbe.call('order/read', { itemsPerPage: 100 })).body.results as Order[];
    expect(byDefault.every((o) => o.type === 3)).toBe(true);
    const type2 = (await fbe.call('order/read', { itemsPerPage: 100, type: 2 })).body.results as Order[];
    expect(type2.length).toBe(100);
    expect(type2.every((o) => o.type === 2)).toBe(true);
    const c3 = Number(((await fbe.call('order/count', {})).body.results as Record<string, string>).noOfItems);
    const c2 = Number(
      ((await fbe.call('order/count', { type: 2 })).body.results as Record<string, string>).noOfItems,
    );
    expect(c2 + c3).toBe(2000);
    expect(c2).toBeGreaterThan(c3);
  });

  it('filters by id, status lists and payment mode', async () => {
    const some = (await ro.call('order/read', { itemsPerPage: 50, currentPage: 3 })).body.results as Order[];
    const target = some[7]!;
    const byId = (await ro.call('order/read', { id: target.id })).body.results as Order[];
    expect(byId).toEqual([target]);
    const cancelledOrReturned = (await ro.call('order/read', { status: [0, 5] })).body.results as Order[];
    expect(cancelledOrReturned.length).toBeGreaterThan(0);
    expect(cancelledOrReturned.every((o) => o.status === 0 || o.status === 5)).toBe(true);
    const cod = (await ro.call('order/read', { payment_mode_id: 1 })).body.results as Order[];
    expect(cod.every((o) => o.payment_mode_id === 1)).toBe(true);
    const bad = await ro.call('order/read', { status: 9 });
    expect(bad.body.isError).toBe(true);
  });

  it('enforces paired date filters spanning at most one month', async () => {
    const alone = await ro.call('order/read', { createdBefore: '2026-06-10 00:00:00' });
    expect(alone.body.isError).toBe(true);
    const countAlone = await ro.call('order/count', { createdAfter: '2026-06-01 00:00:00' });
    expect(countAlone.body.isError).toBe(true);
    const tooLong = await ro.call('order/read', {
      createdAfter: '2026-04-01 00:00:00',
      createdBefore: '2026-05-15 00:00:00',
    });
    expect(tooLong.body.isError).toBe(true);
    expect(tooLong.body.messages?.[0]).toMatch(/1 month/);
    const range = { createdAfter: '2026-06-01 00:00:00', createdBefore: '2026-06-08 00:00:00' };
    const count = (await ro.call('order/count', range)).body.results as Record<string, string>;
    expect(Number(count.noOfItems)).toBeGreaterThan(0);
    const all: Order[] = [];
    for (let page = 1; page <= Number(count.noOfPages); page++) {
      all.push(...((await ro.call('order/read', { ...range, currentPage: page })).body.results as Order[]));
    }
    expect(all.length).toBe(Number(count.noOfItems));
    expect(all.every((o) => o.date >= range.createdAfter && o.date <= range.createdBefore)).toBe(true);
    const modified = await ro.call('order/read', {
      modifiedAfter: '2026-06-01 00:00:00',
      modifiedBefore: '2026-06-08 00:00:00',
    });
    const mod = modified.body.results as Order[];
    expect(mod.length).toBeGreaterThan(0);
    expect(mod.every((o) => o.modified >= '2026-06-01 00:00:00' && o.modified <= '2026-06-08 00:00:00')).toBe(
      true,
    );
  });

  it('counts as eMAG does: strings noOfItems / noOfPages / itemsPerPage', async () => {
    const res = await ro.call('order/count', { itemsPerPage: 50 });
    expect(res.body).toEqual({
      isError: false,
      messages: [],
      results: { noOfItems: '2000', noOfPages: '40', itemsPerPage: '50' },
    });
  });
});

describe('generated orders', () => {
  it('carry the documented fields with 4-place net prices and VAT fractions', async () => {
    const orders = (await ro.call('order/read', { itemsPerPage: 100 })).body.results as Order[];
    // Amounts are 4-place strings or, as real answers also carry them, plain numbers.
    const decimal = (v: unknown) =>
      typeof v === 'number' ? Number.isFinite(v) : typeof v === 'string' && /^-?\d+\.\d{4}$/.test(v);
    for (const o of orders) {
      expect(o).toMatchObject({ type: 3 });
      expect(o).not.toHaveProperty('currency');
      expect([0, 1, 2, 3, 4, 5]).toContain(o.status);
      expect([1, 2, 3]).toContain(o.payment_mode_id);
      expect([0, 1]).toContain(o.payment_status);
      expect(o.date).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(decimal(o.shipping_tax)).toBe(true);
      expect(o.customer.name).toBeTruthy();
      for (const p of o.products) {
        expect(decimal(p.sale_price)).toBe(true);
        // 2026: Romania's 21 % / 11 % (reference README "Correction").
        expect(['0.2100', '0.1100']).toContain(p.vat);
        expect(p.quantity).toBeGreaterThan(0);
        expect(String(p.product_id)).toMatch(/^\d+$/);
        if (p.currency !== undefined) expect(p.currency).toBe('RON');
        expect(p.part_number).toBeTruthy();
      }
      if (o.status === 0) expect(o.reason_cancellation).toBeGreaterThan(0);
      if (o.payment_mode_id === 3) expect(o.payment_status).toBe(1);
    }
    expect(orders.some((o) => o.customer.legal_entity === 1 && /^RO\d+$/.test(o.customer.code))).toBe(true);
    expect(
      orders.some(
        (o) => o.customer.legal_entity === 1 && /^J\d+\/\d+\/\d{4}$/.test(o.customer.registration_number),
      ),
    ).toBe(true);
    expect(orders.some((o) => o.vouchers.length > 0 && Number(o.vouchers[0].sale_price) < 0)).toBe(true);
    expect(orders.some((o) => o.products.length > 1)).toBe(true);
  });

  it('uses each platform currency (on the lines) and VAT rates', async () => {
    const expected: Record<string, [string, string[]]> = {
      bg: ['EUR', ['0.2000', '0.0900']],
      hu: ['HUF', ['0.2700', '0.1800', '0.0500']],
      fdro: ['RON', ['0.2100']],
      fdbg: ['EUR', ['0.2000']],
    };
    for (const [platform, [currency, rates]] of Object.entries(expected)) {
      const orders = (await caller(platform).call('order/read', { itemsPerPage: 30 })).body
        .results as Order[];
      expect(orders.length).toBe(30);
      for (const o of orders) {
        expect(o).not.toHaveProperty('currency');
        for (const p of o.products) {
          expect(rates).toContain(p.vat);
          if (p.currency !== undefined) expect(p.currency).toBe(currency);
        }
      }
      expect(orders.some((o) => o.products.some((p: Order) => p.currency === currency))).toBe(true);
    }
    const hu = (await caller('hu').call('order/read', { itemsPerPage: 100 })).body.results as Order[];
    expect(hu.some((o) => /^\d{8}-\d-\d{2}$/.test(o.customer.code))).toBe(true);
    // Business buyers' ids pass their check digits, as real ones do (host invoicing/tax-ids.ts).
    const bg = (await caller('bg').call('order/read', { itemsPerPage: 100 })).body.results as Order[];
    const companies = [...hu, ...bg].filter((o) => o.customer.legal_entity === 1);
    expect(companies.length).toBeGreaterThan(5);
    for (const o of companies) expect(checkDigitHolds(o.customer.code), o.customer.code).toBe(true);
  });

  it('gives every account its own orders', async () => {
    const a = (await caller('ro').call('order/read', { itemsPerPage: 5 })).body.results as Order[];
    const b = (await caller('bg').call('order/read', { itemsPerPage: 5 })).body.results as Order[];
    expect(a.map((o) => o.id)).not.toEqual(b.map((o) => o.id));
    const other = await caller('bg').call('order/read', { id: a[0]!.id });
    expect(other.body.results).toEqual([]);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const twin = await startSandbox({
      orders: 2000,
      seed: 'orders-test',
      rateLimit: false,
      extra: { now: '2026-06-30T12:00:00Z' },
    });
    const other = await startSandbox({
      orders: 2000,
      seed: 'another',
      rateLimit: false,
      extra: { now: '2026-06-30T12:00:00Z' },
    });
    try {
      const mine = (await ro.call('order/read', { itemsPerPage: 20, currentPage: 4 })).body.results;
      const twinRo = emagCaller({
        url: twin.url,
        ...(twin.credentials as { username: string; password: string }),
      });
      const otherRo = emagCaller({
        url: other.url,
        ...(other.credentials as { username: string; password: string }),
      });
      expect((await twinRo.call('order/read', { itemsPerPage: 20, currentPage: 4 })).body.results).toEqual(
        mine,
      );
      expect(
        (await otherRo.call('order/read', { itemsPerPage: 20, currentPage: 4 })).body.results,
      ).not.toEqual(mine);
    } finally {
      await twin.close();
      await other.close();
    }
  });
});

describe('product_offer/read', () => {
  it('lists the offers the orders are drawn from', async () => {
    const offers = (await ro.call('product_offer/read', { itemsPerPage: 100 })).body.results as Order[];
    expect(offers.length).toBe(60);
    expect(offers[0]).toMatchObject({ currency: 'RON' });
    expect(offers[0]!.sale_price).toMatch(/^\d+\.\d{4}$/);
    const order = ((await ro.call('order/read', { itemsPerPage: 1 })).body.results as Order[])[0]!;
    const line = order.products[0];
    const offer = offers.find((o) => o.id === Number(line.product_id))!;
    expect(offer.part_number).toBe(line.part_number);
    expect(Number(offer.sale_price)).toBe(Number(line.sale_price));
    const one = (await ro.call('product_offer/read', { id: offer.id })).body.results as Order[];
    expect(one).toEqual([offer]);
  });
});
