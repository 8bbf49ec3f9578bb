import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PluginTest, startPluginTest, type TestInvoice } from '@mch/plugin-sdk/testing';
import type { WooSandbox } from '../sandbox/index.ts';

/**
 * The WooCommerce plugin — a manifest and no hook code (issue 14) — against its sandbox over real
 * HTTP, through the SDK's testing kit: a real host, the public REST API. Every figure below was
 * worked out by hand from the order (gross prices, VAT per line: net = round(gross / (1 + r)))
 * and is checked to the cent, with the shop's own order total beside it.
 */
describe('WooCommerce: orders, refunds and cancellations into invoices and corrections', () => {
  let world: PluginTest<WooSandbox>;
  let id: string;
  const orders: Record<string, number> = {};

  const issued = async () => {
    const all = await world.invoices(id);
    const of = (order: number, type: TestInvoice['type'] = 'invoice') =>
      all.filter((i) => i.externalOrderId === String(order) && i.type === type);
    return { all, of };
  };
  const amounts = (i: Pick<TestInvoice, 'totalNet' | 'totalVat' | 'totalGross'>) => [
    i.totalNet,
    i.totalVat,
    i.totalGross,
  ];
  const lines = async (invoiceId: string) =>
    (await world.document(invoiceId)).lines.map((l) => [
      l.name,
      l.quantity,
      l.vatRate,
      l.net,
      l.vat,
      l.gross,
    ]);

  beforeAll(async () => {
    world = await startPluginTest<WooSandbox>({ dir: join(import.meta.dirname, '..'), schedulerPollMs: 100 });
    const shop = world.sandbox;
    shop.setClock('2026-12-01T09:00:00Z');
    // A paid order: 3 mugs at 30.00 (23 %), 2 books at 45.90 (5 %), InPost 12.19 + 23 % VAT.
    orders.paid = shop.addOrder({
      status: 'processing',
      lines: [
        { sku: 'MUG-1', name: 'Kubek ceramiczny', quantity: 3, price: '30.00', vatRate: '23' },
        { sku: 'BOOK-1', name: 'Książka kucharska', quantity: 2, price: '45.90', vatRate: '5' },
      ],
      shipping: { title: 'Kurier InPost', price: '12.19', vatRate: '23' },
      billing: { first_name: 'Anna', last_name: 'Nowak', email: 'anna@example.pl', country: 'PL' },
    }).id;
    // An order in euros with a 10 % coupon, completed.
    orders.euro = shop.addOrder({
      status: 'completed',
      currency: 'EUR',
      lines: [{ sku: 'POSTER-1', name: 'Plakat', quantity: 2, price: '25.00', vatRate: '23' }],
      coupon: { code: 'ZIMA10', percent: 10 },
    }).id;
    // Not paid yet: recorded, not invoiced. Cancelled before payment: never invoiced.
    orders.pending = shop.addOrder({
      status: 'pending',
      lines: [{ sku: 'MUG-1', name: 'Kubek ceramiczny', quantity: 1, price: '30.00', vatRate: '23' }],
    }).id;
    orders.cancelledEarly = shop.addOrder({
      status: 'cancelled',
      lines: [{ sku: 'MUG-1', name: 'Kubek ceramiczny', quantity: 1, price: '30.00', vatRate: '23' }],
    }).id;
    // Paid, to be cancelled after its invoice.
    orders.cancelledLate = shop.addOrder({
      status: 'processing',
      lines: [{ sku: 'TEA-1', name: 'Herbata', quantity: 2, price: '12.50', vatRate: '8' }],
    }).id;
    // Paid, three rates, to get a refund of an amount without lines.
    orders.mixed = shop.addOrder({
      status: 'processing',
      lines: [
        { sku: 'TEA-1', name: 'Herbata', quantity: 4, price: '12.50', vatRate: '8' },
        { sku: 'MUG-1', name: 'Kubek ceramiczny', quantity: 1, price: '30.00', vatRate: '23' },
      ],
      shipping: { title: 'Kurier InPost', price: '12.19', vatRate: '23' },
    }).id;
    // 120 more paid orders: the first sync pages through 126 orders (per_page 100).
    for (let n = 0; n < 120; n++)
      shop.addOrder({
        status: 'processing',
        lines: [{ sku: 'PEN-1', name: 'Długopis', quantity: 1 + (n % 3), price: '4.99', vatRate: '23' }],
      });
    id = await world.connect();
    // Connecting starts both jobs once.
    const runs = await world.waitForRuns(id);
    expect(runs.map((r) => [r.jobId, r.status, r.error])).toEqual(
      expect.arrayContaining([
        ['sync-orders', 'succeeded', null],
        ['sync-refunds', 'succeeded', null],
      ]),
    );
  });
  afterAll(async () => {
    await world?.close();
  });

  it('invoices every paid order once, to the cent, at the rates WooCommerce charged', async () => {
    const { all, of } = await issued();
    expect(all.filter((i) => i.type === 'invoice')).toHaveLength(124);
    const paid = of(orders.paid!)[0]!;
    // 90.00 → 73.17 + 16.83; 91.80 → 87.43 + 4.37; shipping 12.19 + 2.80 = 14.99.
    expect(amounts(paid)).toEqual(['172.79', '24.00', '196.79']);
    expect(paid.totalGross).toBe(world.sandbox.order(orders.paid!).total);
    expect(await lines(paid.id)).toEqual([
      ['Kubek ceramiczny', '3.000', '23.00', '73.17', '16.83', '90.00'],
      ['Książka kucharska', '2.000', '5.00', '87.43', '4.37', '91.80'],
      ['Kurier InPost', '1.000', '23.00', '12.19', '2.80', '14.99'],
    ]);
    // 2 × 25.00 less 10 %: 45.00 EUR → 36.59 + 8.41.
    const euro = of(orders.euro!)[0]!;
    expect([euro.currency, ...amounts(euro)]).toEqual(['EUR', '36.59', '8.41', '45.00']);
    expect(euro.totalGross).toBe(world.sandbox.order(orders.euro!).total);
    expect(of(orders.pending!)).toEqual([]);
    expect(of(orders.cancelledEarly!)).toEqual([]);
    // The shop's total and the invoice's agree on every order.
    for (const invoice of all.filter((i) => i.type === 'invoice'))
      expect([invoice.externalOrderId, invoice.totalGross]).toEqual([
        invoice.externalOrderId,
        world.sandbox.order(Number(invoice.externalOrderId)).total,
      ]);
  });

  it('turns each refund into one correction: units returned, shipping refunded, an amount spread over three rates', async () => {
    const shop = world.sandbox;
    shop.setClock('2026-12-02T10:00:00Z');
    shop.refund(orders.paid!, { reason: 'Zwrot jednego kubka', lines: [{ sku: 'MUG-1', quantity: 1 }] });
    shop.refund(orders.paid!, { shipping: { refundTotal: '14.99' } });
    shop.refund(orders.euro!, { amount: '9.00' });
    shop.refund(orders.mixed!, { amount: '20.00' });
    const run = await world.sync(id, 'sync-refunds');
    expect([run.status, run.error, run.counts.created]).toEqual(['succeeded', null, 4]);

    const { of } = await issued();
    const paid = of(orders.paid!, 'correction');
    const mug = paid.find((c) => c.totalGross === '-30.00')!;
    expect(amounts(mug)).toEqual(['-24.39', '-5.61', '-30.00']);
    expect(await lines(mug.id)).toEqual([
      ['Kubek ceramiczny', '-1.000', '23.00', '-24.39', '-5.61', '-30.00'],
    ]);
    const shipping = paid.find((c) => c !== mug)!;
    expect(amounts(shipping)).toEqual(['-12.19', '-2.80', '-14.99']);
    expect(await lines(shipping.id)).toEqual([
      ['Kurier InPost', '-1.000', '23.00', '-12.19', '-2.80', '-14.99'],
    ]);
    // 9.00 EUR off the one 23 % line: 45.00 → 36.00 (29.27 net).
    expect(amounts(of(orders.euro!, 'correction')[0]!)).toEqual(['-7.32', '-1.68', '-9.00']);
    // 20.00 over 50.00 (8 %), 30.00 and 14.99 (23 %): 10.53, 6.32, 3.15.
    const mixed = of(orders.mixed!, 'correction')[0]!;
    expect(await lines(mixed.id)).toEqual([
      ['Herbata', '0.000', '8.00', '-9.75', '-0.78', '-10.53'],
      ['Kubek ceramiczny', '0.000', '23.00', '-5.14', '-1.18', '-6.32'],
      ['Kurier InPost', '0.000', '23.00', '-2.56', '-0.59', '-3.15'],
    ]);
    expect(amounts(mixed)).toEqual(['-17.45', '-2.55', '-20.00']);

    // Read again (the cursor's overlap, a retry): nothing is issued twice.
    const again = await world.sync(id, 'sync-refunds');
    expect([again.status, again.counts.created ?? 0]).toEqual(['succeeded', 0]);
    expect((await issued()).all.filter((i) => i.type === 'correction')).toHaveLength(4);
  });

  it('corrects to zero an order cancelled after its invoice, and never invoices one cancelled before', async () => {
    world.sandbox.setClock('2026-12-03T08:00:00Z');
    world.sandbox.setStatus(orders.cancelledLate!, 'cancelled');
    const run = await world.sync(id, 'sync-orders');
    expect([run.status, run.error]).toEqual(['succeeded', null]);
    const { of } = await issued();
    expect(amounts(of(orders.cancelledLate!)[0]!)).toEqual(['23.15', '1.85', '25.00']);
    expect(amounts(of(orders.cancelledLate!, 'correction')[0]!)).toEqual(['-23.15', '-1.85', '-25.00']);
    expect(of(orders.cancelledEarly!, 'correction')).toEqual([]);
  });

  it('keeps a refund that arrives before its order is invoiced, and issues it with the invoice', async () => {
    const shop = world.sandbox;
    shop.setClock('2026-12-04T08:00:00Z');
    const late = shop.addOrder({
      status: 'processing',
      lines: [{ sku: 'BOOK-1', name: 'Książka kucharska', quantity: 2, price: '45.90', vatRate: '5' }],
    }).id;
    shop.setClock('2026-12-04T08:05:00Z');
    shop.refund(late, { lines: [{ sku: 'BOOK-1', quantity: 1 }] });
    const refunds = await world.sync(id, 'sync-refunds');
    expect([refunds.status, refunds.counts.created ?? 0, refunds.counts.skipped]).toEqual([
      'succeeded',
      0,
      1,
    ]);
    expect((await issued()).of(late)).toEqual([]);
    const ordersRun = await world.sync(id, 'sync-orders');
    expect(ordersRun.status).toBe('succeeded');
    const { of } = await issued();
    expect(amounts(of(late)[0]!)).toEqual(['87.43', '4.37', '91.80']);
    // Half of the line: 45.90 gross, 43.71 net (87.43 × 1/2 kept = 43.72).
    expect(amounts(of(late, 'correction')[0]!)).toEqual(['-43.71', '-2.19', '-45.90']);
  });
});

/**
 * A shop that enters prices without VAT (WooCommerce → Settings → Tax: "No, I will enter prices
 * exclusive of tax"): the invoice is made from net prices, VAT per line as WooCommerce rounds it.
 */
describe('WooCommerce: a shop with net prices and a percent coupon', () => {
  let world: PluginTest<WooSandbox>;
  afterAll(async () => {
    await world?.close();
  });

  beforeAll(async () => {
    world = await startPluginTest<WooSandbox>({
      dir: join(import.meta.dirname, '..'),
      sandbox: { extra: { pricesIncludeTax: false } },
    });
  });

  it('tests the keys before connecting: a wrong secret or address is refused, nothing kept', async () => {
    const refused = (settings: Record<string, string>) =>
      world.api('/api/v1/woocommerce/integrations', { method: 'POST', body: { settings } }).then(
        () => 'connected',
        (error: Error) => error.message,
      );
    const { storeUrl, consumerKey } = world.sandbox.credentials;
    expect(
      await refused({ storeUrl, consumerKey, consumerSecret: 'cs_0000000000000000000000000000000000000000' }),
    ).toContain('Not connected: WooCommerce refused the credentials; check them and try again.');
    expect(
      await refused({
        storeUrl: `${storeUrl}/shop`,
        consumerKey,
        consumerSecret: world.sandbox.credentials.consumerSecret,
      }),
    ).toContain(
      'Not connected: WooCommerce has no API at this address (HTTP 404); check the address in the settings.',
    );
    expect(await world.api<unknown[]>('/api/v1/woocommerce/integrations')).toEqual([]);
  });

  it('invoices from net prices, the coupon taken off each line, to the cent', async () => {
    const order = world.sandbox.addOrder({
      status: 'processing',
      lines: [
        { sku: 'MUG-1', name: 'Kubek ceramiczny', quantity: 3, price: '24.39', vatRate: '23' },
        { sku: 'BOOK-1', name: 'Książka kucharska', quantity: 2, price: '43.71', vatRate: '5' },
      ],
      shipping: { title: 'Kurier InPost', price: '12.19', vatRate: '23' },
      coupon: { code: 'ZIMA10', percent: 10 },
    });
    const id = await world.connect();
    const runs = await world.waitForRuns(id);
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    const [invoice] = await world.invoices(id);
    // 10 % of 160.59: 16.06, floor per line (7.31, 8.74) and the cent over to the first line
    // (WC_Discounts::apply_coupon_percent, apply_coupon_remainder): mugs 65.85, books 78.68.
    // VAT per line: 65.85 × 23 % = 15.15, 78.68 × 5 % = 3.93, 12.19 × 23 % = 2.80.
    expect([invoice!.totalNet, invoice!.totalVat, invoice!.totalGross]).toEqual([
      '156.72',
      '21.88',
      '178.60',
    ]);
    expect(invoice!.totalGross).toBe(order.total);
    expect(
      (await world.document(invoice!.id)).lines.map((l) => [l.name, l.unitNet, l.net, l.vat, l.gross]),
    ).toEqual([
      ['Kubek ceramiczny', '24.3900', '65.85', '15.15', '81.00'],
      ['Książka kucharska', '43.7100', '78.68', '3.93', '82.61'],
      ['Kurier InPost', '12.1900', '12.19', '2.80', '14.99'],
    ]);
  });
});
