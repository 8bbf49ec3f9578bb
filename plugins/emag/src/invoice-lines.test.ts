import { describe, expect, it } from 'vitest';
import { fromUnits, invoiceLines, netOfGross, orderCurrency, toUnits } from './invoice-lines.ts';
import { migrateSettings } from './settings-migration.ts';
import { EMAG_DEFAULT_BASE_URL, platformApiUrl } from './platforms.ts';
import manifest from '../plugin.manifest.json' with { type: 'json' };
import type { EmagOrder } from './types.ts';

const order = (extra: Partial<EmagOrder> & Record<string, unknown>): EmagOrder => ({
  id: 2_200_000_011,
  status: 2,
  type: 3,
  modified: '2026-11-20 10:00:00',
  date: '2026-11-20 09:00:00',
  shipping_tax: '0.0000',
  products: [],
  vouchers: [],
  ...extra,
});

describe('invoice lines of an eMAG order', () => {
  it('reads and prints 4-decimal amounts exactly', () => {
    expect(toUnits('123.4567')).toBe(1_234_567n);
    expect(toUnits('-5.1')).toBe(-51_000n);
    expect(fromUnits(-51_000n)).toBe('-5.1000');
    expect(fromUnits(toUnits('0.0001'))).toBe('0.0001');
  });

  it('takes the net of a gross amount half up to 4 decimals', () => {
    expect(fromUnits(netOfGross(toUnits('19.99'), toUnits('0.19')))).toBe('16.7983'); // 16.798319…
    expect(fromUnits(netOfGross(toUnits('10.50'), toUnits('0.05')))).toBe('10.0000');
    expect(fromUnits(netOfGross(toUnits('0.0021'), toUnits('0.05')))).toBe('0.0020'); // exact
    // 0.0003 / 2 = 0.00015, half way at the 5th place: up
    expect(fromUnits(netOfGross(3n, toUnits('1')))).toBe('0.0002');
    expect(fromUnits(netOfGross(3n, 0n))).toBe('0.0003');
  });

  it('keeps active products, adds shipping at the highest rate and vouchers as they are', () => {
    const lines = invoiceLines(
      order({
        shipping_tax: '19.9900',
        products: [
          {
            status: 1,
            name: 'Phone',
            quantity: 2,
            sale_price: '100.1234',
            vat: '0.0900',
            part_number: 'P1',
            product_id: 7,
          },
          { status: 0, name: 'Removed', quantity: 1, sale_price: '5.0000', vat: '0.2100', product_id: 8 },
          { status: 1, name: 'Case', quantity: 1, sale_price: '10.0000', vat: '0.1900', product_id: 9 },
        ],
        vouchers: [
          { status: 1, voucher_name: 'Voucher', sale_price: '-8.4034', vat: '0.1900' },
          { status: 0, voucher_name: 'Expired', sale_price: '-1.0000', vat: '0.1900' },
        ],
      }),
      { settings: { platform: 'ro' } },
    );
    expect(lines.map((l) => [l.name, l.quantity, l.price, l.vat, l.product])).toEqual([
      ['Phone', 2, '100.1234', '0.0900', true],
      ['Case', 1, '10.0000', '0.1900', true],
      ['Transport', 1, '16.7983', '0.1900', false],
      ['Voucher', 1, '-8.4034', '0.1900', false],
    ]);
    expect(lines[0]).toMatchObject({ sku: 'P1', productId: '7', currency: 'RON' });
  });

  it('adds no shipping line when shipping is free', () => {
    const lines = invoiceLines(
      order({
        products: [{ status: 1, name: 'A', quantity: 1, sale_price: '1.0000', vat: '0.2000', product_id: 1 }],
      }),
      { settings: { platform: 'bg' } },
    );
    expect(lines.map((l) => l.name)).toEqual(['A']);
  });

  it('reads numbers and nulls where the doc shows strings', () => {
    expect(toUnits(14.99)).toBe(149_900n);
    expect(toUnits(null)).toBe(0n);
    expect(toUnits('')).toBe(0n);
    expect(() => toUnits('abc')).toThrow(/where an amount belongs/);
    const lines = invoiceLines(
      order({
        shipping_tax: 14.99,
        cashed_co: null,
        products: [
          { status: '1', name: 'Phone', quantity: '2', sale_price: 100.5, vat: 0.21, product_id: '7' },
          { status: 1, name: 'No rate', quantity: 1, sale_price: '10.0000', vat: null, product_id: 8 },
        ],
        vouchers: [{ status: 1, voucher_name: 'V', sale_price: -5, vat: '0.21' }],
      }),
      { settings: { platform: 'ro' } },
    );
    expect(lines.map((l) => [l.name, l.quantity, l.price, l.vat, l.productId])).toEqual([
      ['Phone', 2, '100.5000', '0.2100', '7'],
      ['No rate', 1, '10.0000', '0.2100', '8'],
      ['Transport', 1, '12.3884', '0.2100', null],
      ['V', 1, '-5.0000', '0.2100', null],
    ]);
  });

  it('takes the currency from the products, else the platform on the order date (Bulgaria: EUR from 2026)', () => {
    const bare = (date: string) =>
      order({ date, products: [{ status: 1, name: 'A', quantity: 1, sale_price: '1.0000', vat: '0.2000' }] });
    expect(orderCurrency(bare('2026-01-01 00:00:05'), { platform: 'bg' })).toBe('EUR');
    expect(orderCurrency(bare('2025-12-31 23:59:59'), { platform: 'bg' })).toBe('BGN');
    expect(orderCurrency(bare('2025-12-31 23:59:59'), { platform: 'fdbg' })).toBe('BGN');
    expect(orderCurrency(bare('2026-03-01 10:00:00'), { platform: 'hu' })).toBe('HUF');
    expect(orderCurrency(bare('2026-03-01 10:00:00'), { platform: 'fdro' })).toBe('RON');
    const stated = order({
      products: [{ status: 1, name: 'A', quantity: 1, sale_price: '1', currency: 'eur' }],
    });
    expect(orderCurrency(stated, { platform: 'ro' })).toBe('EUR');
    expect(invoiceLines(bare('2025-06-01 10:00:00'), { settings: { platform: 'bg' } })[0]!.currency).toBe(
      'BGN',
    );
  });

  it("defaults a line without a rate to the seller's rate, else the platform's standard rate on the date", () => {
    const noRate = (date: string) =>
      order({ date, products: [{ status: 1, name: 'A', quantity: 1, sale_price: '1.0000' }] });
    const vatOf = (date: string, settings: Record<string, unknown>) =>
      invoiceLines(noRate(date), { settings })[0]!.vat;
    expect(vatOf('2026-02-01 10:00:00', { platform: 'ro' })).toBe('0.2100');
    expect(vatOf('2025-07-31 23:00:00', { platform: 'ro' })).toBe('0.1900');
    expect(vatOf('2026-02-01 10:00:00', { platform: 'hu' })).toBe('0.2700');
    expect(vatOf('2026-02-01 10:00:00', { platform: 'bg' })).toBe('0.2000');
    expect(vatOf('2026-02-01 10:00:00', { platform: 'ro', defaultVatRate: 11 })).toBe('0.1100');
    // A stated 0 % is a rate, not a missing one.
    expect(
      invoiceLines(
        order({ products: [{ status: 1, name: 'A', quantity: 1, sale_price: '1', vat: '0.0000' }] }),
        {
          settings: { platform: 'ro' },
        },
      )[0]!.vat,
    ).toBe('0.0000');
  });

  it('drops the old 19 % default when settings are upgraded, keeping a chosen rate', () => {
    expect(migrateSettings({ fromVersion: 1, settings: { platform: 'ro', defaultVatRate: 19 } })).toEqual({
      platform: 'ro',
    });
    expect(migrateSettings({ fromVersion: 1, settings: { platform: 'ro', defaultVatRate: 11 } })).toEqual({
      platform: 'ro',
      defaultVatRate: 11,
    });
    expect(manifest.settingsVersion).toBe(2);
    expect('default' in manifest.settings.properties.defaultVatRate).toBe(false);
  });

  it("reaches each platform's own host, Fashion Days' included, unless the deployment set EMAG_BASE_URL", () => {
    expect(manifest.config.find((c) => c.env === 'EMAG_BASE_URL')?.default).toBe(EMAG_DEFAULT_BASE_URL);
    const url = (platform: string, base?: string) =>
      platformApiUrl({ config: base === undefined ? {} : { EMAG_BASE_URL: base }, settings: { platform } });
    expect(url('fdro', EMAG_DEFAULT_BASE_URL)).toBe('https://marketplace-ro-api.fashiondays.com/api-3');
    expect(url('fdbg')).toBe('https://marketplace-bg-api.fashiondays.com/api-3');
    expect(url('bg', EMAG_DEFAULT_BASE_URL)).toBe('https://marketplace-api.emag.bg/api-3');
    expect(url('hu')).toBe('https://marketplace-api.emag.hu/api-3');
    expect(url('fdro', 'http://127.0.0.1:4000')).toBeUndefined();
  });
});
