import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type WooOrder, type WooRefund, type WooSandbox } from './index.ts';

let running: WooSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.map((s) => s.close()));
  running = [];
});

async function start(extra: Record<string, unknown> = {}, orders = 0): Promise<WooSandbox> {
  const s = await startSandbox({ seed: 'test', orders, extra: { now: '2026-12-01T12:00:00Z', ...extra } });
  running.push(s);
  return s;
}

function auth(s: WooSandbox): Record<string, string> {
  const { consumerKey, consumerSecret } = s.credentials;
  return { authorization: `Basic ${Buffer.from(`${consumerKey}:${consumerSecret}`).toString('base64')}` };
}

async function get<T>(
  s: WooSandbox,
  path: string,
  headers = auth(s),
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(`${s.url}/wp-json/wc/v3${path}`, { headers });
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

const line = (sku: string, quantity: number, price: string, vatRate: '23' | '8' | '5' | '0' = '23') => ({
  sku,
  name: `Produkt ${sku}`,
  quantity,
  price,
  vatRate,
});

describe('WooCommerce sandbox', () => {
  it('refuses missing or wrong keys with WooCommerce error bodies and accepts query-string keys', async () => {
    const s = await start();
    expect(s.credentials.consumerKey).toMatch(/^ck_[0-9a-f]{40}$/);
    expect(s.credentials.consumerSecret).toMatch(/^cs_[0-9a-f]{40}$/);
    const none = await get<{ code: string; data: { status: number } }>(s, '/orders', {});
    expect(none.status).toBe(401);
    expect(none.body).toEqual({
      code: 'woocommerce_rest_cannot_view',
      message: 'Sorry, you cannot list resources.',
      data: { status: 401 },
    });
    const wrong = await get<{ code: string; message: string }>(s, '/orders', {
      authorization: `Basic ${Buffer.from(`${s.credentials.consumerKey}:cs_nope`).toString('base64')}`,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('woocommerce_rest_authentication_error');
    expect(wrong.body.message).toBe('Consumer secret is invalid.');
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    // An unknown key leaves the request anonymous: the permission check refuses it.
    const unknownKey = await get<{ code: string }>(s, '/orders/1', {
      authorization: `Basic ${Buffer.from(`ck_${'0'.repeat(40)}:${s.credentials.consumerSecret}`).toString('base64')}`,
    });
    expect(unknownKey.status).toBe(401);
    expect(unknownKey.body).toEqual({
      code: 'woocommerce_rest_cannot_view',
      message: 'Sorry, you cannot view this resource.',
      data: { status: 401 },
    });
    const query = await get<unknown[]>(
      s,
      `/orders?consumer_key=${s.credentials.consumerKey}&consumer_secret=${s.credentials.consumerSecret}`,
      {},
    );
    expect(query.status).toBe(200);
    const unknown = await get<{ code: string }>(s, '/ordersx');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('rest_no_route');
  });

  it('pages with X-WP-Total / X-WP-TotalPages / Link, refuses per_page over 100, answers [] past the end', async () => {
    const s = await start({}, 25);
    const first = await get<WooOrder[]>(s, '/orders');
    expect(first.status).toBe(200);
    expect(first.body).toHaveLength(10);
    expect(first.headers.get('x-wp-total')).toBe('25');
    expect(first.headers.get('x-wp-totalpages')).toBe('3');
    expect(first.headers.get('link')).toBe(`<${s.url}/wp-json/wc/v3/orders?page=2>; rel="next"`);
    // Default order: date descending.
    const created = first.body.map((o) => o.date_created_gmt);
    expect([...created].sort().reverse()).toEqual(created);
    const last = await get<WooOrder[]>(s, '/orders?per_page=10&page=3');
    expect(last.body).toHaveLength(5);
    expect(last.headers.get('link')).toBe(`<${s.url}/wp-json/wc/v3/orders?per_page=10&page=2>; rel="prev"`);
    const beyond = await get<WooOrder[]>(s, '/orders?page=9');
    expect(beyond.status).toBe(200);
    expect(beyond.body).toEqual([]);
    expect(beyond.headers.get('x-wp-total')).toBe('25');
    const tooMany = await get<{ code: string; data: { params: Record<string, string> } }>(
      s,
      '/orders?per_page=101',
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.code).toBe('rest_invalid_param');
    expect(tooMany.body.data.params.per_page).toBe(
      'per_page must be between 1 (inclusive) and 100 (inclusive)',
    );
    const all = await get<WooOrder[]>(s, '/orders?per_page=100&order=asc&orderby=id');
    expect(all.body.map((o) => o.id)).toEqual([...all.body.map((o) => o.id)].sort((a, b) => a - b));
    const some = await get<WooOrder[]>(s, '/orders?per_page=100&status=processing,completed');
    expect(some.body.every((o) => ['processing', 'completed'].includes(o.status))).toBe(true);
    const listed = await get<WooOrder[]>(s, '/orders?per_page=2&status[]=processing&status[]=completed');
    expect(Number(listed.headers.get('x-wp-total'))).toBe(some.body.length);
    expect(listed.headers.get('link')).toBe(
      `<${s.url}/wp-json/wc/v3/orders?per_page=2&status[0]=processing&status[1]=completed&page=2>; rel="next"`,
    );
    const badStatus = await get<{ code: string; data: { params: Record<string, string> } }>(
      s,
      '/orders?status=shipped',
    );
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.data.params.status).toMatch(/^status\[0\] is not one of any, trash, pending/);
  });

  it('reads modified_after in the site timezone unless dates_are_gmt, and exclusively', async () => {
    const s = await start();
    s.setClock('2026-12-01T10:00:00Z');
    const order = s.addOrder({ lines: [line('A', 1, '10.00')] });
    expect(order.date_modified_gmt).toBe('2026-12-01T10:00:00');
    expect(order.date_modified).toBe('2026-12-01T11:00:00'); // Europe/Warsaw, UTC+1 in December
    const ids = async (q: string) => (await get<WooOrder[]>(s, `/orders?${q}`)).body.map((o) => o.id);
    // 10:30 without a zone = 10:30 Warsaw = 09:30 UTC → the order (10:00 UTC) is after it.
    expect(await ids('modified_after=2026-12-01T10:30:00')).toEqual([order.id]);
    // With dates_are_gmt the same string is 10:30 UTC → the order is not after it.
    expect(await ids('modified_after=2026-12-01T10:30:00&dates_are_gmt=true')).toEqual([]);
    // Exclusive: exactly the modification time does not match.
    expect(await ids('modified_after=2026-12-01T10:00:00&dates_are_gmt=true')).toEqual([]);
    expect(await ids('modified_after=2026-12-01T09:59:59&dates_are_gmt=true')).toEqual([order.id]);
    // A zone in the value is honoured without dates_are_gmt; with it, WP_Date_Query turns the value
    // into the site's wall time and compares that with the GMT column (an hour off in Warsaw).
    expect(await ids('modified_after=2026-12-01T09:30:00Z')).toEqual([order.id]);
    expect(await ids('modified_after=2026-12-01T09:30:00Z&dates_are_gmt=true')).toEqual([]);
    const badDate = await get<{ code: string }>(s, '/orders?modified_after=yesterday');
    expect(badDate.status).toBe(400);
    expect(badDate.body.code).toBe('rest_invalid_param');
  });

  it('computes inclusive-price taxes per line like WC_Tax::calc_inclusive_tax', async () => {
    const s = await start();
    const o = s.addOrder({ lines: [line('KUB', 3, '30.00')] });
    const item = o.line_items[0]!;
    expect(item.subtotal).toBe('73.17');
    expect(item.subtotal_tax).toBe('16.83');
    expect(item.total).toBe('73.17');
    expect(item.total_tax).toBe('16.83');
    expect(item.taxes).toEqual([{ id: 1, total: '16.829268', subtotal: '16.829268' }]);
    expect(item.price).toBeCloseTo(24.390244, 9);
    expect(o.total).toBe('90.00');
    expect(o.cart_tax).toBe('16.83');
    expect(o.prices_include_tax).toBe(true);
    expect(o.currency_symbol).toBe('zł');
    expect(o._links.self![0]!.href).toBe(`${s.url}/wp-json/wc/v3/orders/${o.id}`);
    expect(o.tax_lines).toEqual([
      expect.objectContaining({
        rate_id: 1,
        rate_percent: 23,
        tax_total: '16.83',
        shipping_tax_total: '0.00',
        compound: false,
      }),
    ]);
    const fetched = await get<WooOrder>(s, `/orders/${o.id}`);
    expect(fetched.body).toEqual(o);
    const dp4 = await get<WooOrder>(s, `/orders/${o.id}?dp=4`);
    expect(dp4.body.line_items[0]!.subtotal).toBe('73.1707');
  });

  it('adds tax on top in an exclusive-price store, shipping always net', async () => {
    const s = await start({ pricesIncludeTax: false });
    const o = s.addOrder({
      lines: [line('KUB', 3, '30.00'), line('KS', 1, '10.00', '5')],
      shipping: { title: 'Kurier InPost', price: '13.81', vatRate: '23' },
    });
    expect(o.prices_include_tax).toBe(false);
    expect(o.line_items[0]!.total).toBe('90.00');
    expect(o.line_items[0]!.total_tax).toBe('20.70');
    expect(o.line_items[1]!.total_tax).toBe('0.50');
    expect(o.shipping_lines[0]!.total).toBe('13.81');
    expect(o.shipping_lines[0]!.total_tax).toBe('3.18');
    expect(o.shipping_tax).toBe('3.18');
    expect(o.cart_tax).toBe('21.20');
    expect(o.total).toBe('138.19');
    expect(o.total_tax).toBe('24.38');
    const ids = [...o.line_items, ...o.shipping_lines, ...o.tax_lines].map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('applies a percent coupon per line on the gross price', async () => {
    const s = await start();
    const o = s.addOrder({ lines: [line('KUB', 3, '30.00')], coupon: { code: 'WITAJ10', percent: 10 } });
    const item = o.line_items[0]!;
    expect(item.subtotal).toBe('73.17');
    expect(item.total).toBe('65.85');
    expect(item.total_tax).toBe('15.15');
    expect(o.total).toBe('81.00');
    expect(o.discount_total).toBe('7.32');
    expect(o.discount_tax).toBe('1.68');
    expect(o.coupon_lines).toEqual([
      expect.objectContaining({
        code: 'witaj10',
        discount: '7.32',
        discount_tax: '1.68',
        discount_type: 'percent',
      }),
    ]);
  });

  it('spreads a fixed_cart coupon per unit (apply_coupon_fixed_cart)', async () => {
    const s = await start();
    const o = s.addOrder({
      lines: [line('KUB', 3, '30.00'), line('KS', 1, '10.00', '5')],
      coupon: { code: 'MINUS10', fixedCart: '10.00' },
    });
    expect(o.line_items.map((i) => [i.total, i.total_tax])).toEqual([
      ['67.07', '15.43'],
      ['7.14', '0.36'],
    ]);
    expect(o.total).toBe('90.00');
    expect(o.coupon_lines[0]).toEqual(
      expect.objectContaining({ code: 'minus10', discount_type: 'fixed_cart', nominal_amount: 10 }),
    );
  });

  it('refunds with negative items, moves date_modified and sets refunded when nothing is left', async () => {
    const s = await start();
    s.setClock('2026-12-01T10:00:00Z');
    const o = s.addOrder({
      lines: [line('KUB', 3, '30.00'), line('KS', 1, '39.90', '5')],
      shipping: { title: 'Kurier InPost', price: '13.81', vatRate: '23' },
    });
    expect(o.total).toBe('146.89');
    s.setClock('2026-12-02T08:00:00Z');
    const r1 = s.refund(o.id, { reason: 'Zwrot 1 kubka', lines: [{ sku: 'KUB', quantity: 1 }] });
    expect(r1.amount).toBe('30.00');
    expect(r1.parent_id).toBe(o.id);
    const refunded = r1.line_items[0]!;
    expect(refunded.quantity).toBe(-1);
    expect(refunded.total).toBe('-24.39');
    expect(refunded.total_tax).toBe('-5.61');
    expect(refunded.taxes).toEqual([{ id: 1, total: '-5.61', subtotal: '-5.61' }]);
    // refund_total is a request field (context edit); the stored refund item has no such prop.
    expect(refunded).not.toHaveProperty('refund_total');
    expect(refunded.price).toBe(24.39);
    expect(refunded.meta_data).toEqual([
      expect.objectContaining({ key: '_refunded_item_id', value: String(o.line_items[0]!.id) }),
    ]);
    const after1 = s.order(o.id);
    expect(after1.status).toBe('processing');
    expect(after1.date_modified_gmt).toBe('2026-12-02T08:00:00');
    expect(after1.refunds).toEqual([{ id: r1.id, reason: 'Zwrot 1 kubka', total: '-30.00' }]);
    expect(() => s.refund(o.id, { amount: '200.00' })).toThrow('Invalid refund amount.');
    s.setClock('2026-12-03T08:00:00Z');
    s.refund(o.id, { amount: '116.89', reason: 'Reszta' });
    expect(s.order(o.id).status).toBe('refunded');
    const list = await get<WooRefund[]>(s, '/refunds');
    expect(list.headers.get('x-wp-total')).toBe('2');
    expect(list.body.map((r) => r.parent_id)).toEqual([o.id, o.id]);
    const own = await get<WooRefund[]>(s, `/orders/${o.id}/refunds`);
    expect(own.body[1]).not.toHaveProperty('parent_id');
    expect(own.body[1]!.line_items[0]!.quantity).toBe(-1);
  });

  it('a status change to refunded refunds what is left (wc_order_fully_refunded)', async () => {
    const s = await start();
    const o = s.addOrder({ lines: [line('KUB', 1, '30.00')] });
    s.setStatus(o.id, 'refunded');
    const after = s.order(o.id);
    expect(after.status).toBe('refunded');
    expect(after.refunds).toEqual([
      expect.objectContaining({ reason: 'Order fully refunded.', total: '-30.00' }),
    ]);
  });
});
