import { describe, expect, it } from 'vitest';
import { fromUnits, invoiceLines, netOfGross, toUnits } from './invoice-lines.ts';
import type { EmagOrder } from './types.ts';

const order = (extra: Partial<EmagOrder> & Record<string, unknown>): EmagOrder => ({
  id: 2_200_000_011,
  status: 2,
  type: 3,
  modified: '2026-11-20 10:00:00',
  currency: 'RON',
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
    );
    expect(lines.map((l) => l.name)).toEqual(['A']);
  });
});
