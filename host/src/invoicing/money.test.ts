import { describe, expect, it } from 'vitest';
import {
  assertExpectedGross,
  computeLine,
  MoneyError,
  normaliseVatRate,
  sumLines,
  totalsByRate,
} from './money.ts';

describe('normaliseVatRate', () => {
  it('reads percentages and fractions alike', () => {
    expect(normaliseVatRate(23)).toBe('23.00');
    expect(normaliseVatRate('23.00')).toBe('23.00');
    expect(normaliseVatRate('0.1900')).toBe('19.00');
    expect(normaliseVatRate('0.09')).toBe('9.00');
    expect(normaliseVatRate('8%')).toBe('8.00');
    expect(normaliseVatRate(0)).toBe('0.00');
  });
  it('refuses nonsense', () => {
    expect(() => normaliseVatRate('zw')).toThrow(MoneyError);
    expect(() => normaliseVatRate(-1)).toThrow(/between 0 and 100/);
    expect(() => normaliseVatRate(NaN)).toThrow(/finite/);
  });
});

describe('computeLine, gross mode (Allegro)', () => {
  it('keeps the paid gross exactly and derives net half-up', () => {
    const line = computeLine({ quantity: 3, unitPrice: '33.33', vatRate: 23, mode: 'gross' });
    expect(line).toEqual({
      quantity: '3.000',
      unitNet: '27.0976',
      unitGross: '33.3300',
      vatRate: '23.00',
      gross: '99.99',
      net: '81.29', // 99.99 / 1.23 = 81.2926…
      vat: '18.70',
    });
  });
  it('is exact where floats are not (0.1 + 0.2)', () => {
    const a = computeLine({ quantity: 1, unitPrice: 0.1, vatRate: 23, mode: 'gross' });
    const b = computeLine({ quantity: 1, unitPrice: '0.2', vatRate: 23, mode: 'gross' });
    expect(sumLines([a, b]).gross).toBe('0.30');
    expect(0.1 + 0.2).not.toBe(0.3);
  });
  it('rounds a half grosz up', () => {
    // 1.23 * x where net is x.xx5: gross 12.30 → net 10.00 exactly; gross 0.05 / 1.23 = 0.0406… → 0.04
    expect(computeLine({ quantity: 1, unitPrice: '0.05', vatRate: 23, mode: 'gross' }).net).toBe('0.04');
    // 10.5 / 1.05 = 10.00 (5 %); 0.21 / 1.05 = 0.2 exactly
    expect(computeLine({ quantity: 1, unitPrice: '0.21', vatRate: 5, mode: 'gross' }).net).toBe('0.20');
    // gross 1.00 at 100 %: net 0.50 exactly; gross 0.01 at 100 %: 0.005 → 0.01 (half-up)
    expect(computeLine({ quantity: 1, unitPrice: '0.01', vatRate: 100, mode: 'gross' }).net).toBe('0.01');
  });
});

describe('computeLine, net mode (eMAG)', () => {
  it('takes 4-decimal net prices and a fractional VAT', () => {
    const line = computeLine({ quantity: 3, unitPrice: '84.0336', vatRate: '0.1900', mode: 'net' });
    // net = round(252.1008) = 252.10; vat = round(47.899) = 47.90; gross = 300.00
    expect(line).toMatchObject({
      net: '252.10',
      vat: '47.90',
      gross: '300.00',
      vatRate: '19.00',
      unitNet: '84.0336',
    });
    expect(line.unitGross).toBe('100.0000'); // 84.0336 * 1.19 = 99.999984
  });
  it('rounds VAT half-up', () => {
    // net 0.50 at 9 % → VAT 0.045 → 0.05
    expect(computeLine({ quantity: 1, unitPrice: '0.5', vatRate: '0.09', mode: 'net' }).vat).toBe('0.05');
  });
  it('applies a discount in the price mode', () => {
    expect(
      computeLine({ quantity: 2, unitPrice: '10', vatRate: 19, mode: 'net', discount: '1.5' }),
    ).toMatchObject({
      net: '18.50',
      vat: '3.52', // 3.515 → 3.52
      gross: '22.02',
    });
  });
  it('refuses a bad quantity or price', () => {
    expect(() => computeLine({ quantity: 0, unitPrice: '1', vatRate: 23, mode: 'net' })).toThrow(/positive/);
    expect(() => computeLine({ quantity: '1.0001', unitPrice: '1', vatRate: 23, mode: 'net' })).toThrow(
      /3 decimals/,
    );
    expect(() => computeLine({ quantity: 1, unitPrice: '1,50', vatRate: 23, mode: 'net' })).toThrow(
      /unit price/,
    );
  });
});

describe('totals', () => {
  const lines = [
    computeLine({ quantity: 3, unitPrice: '33.33', vatRate: 23, mode: 'gross' }),
    computeLine({ quantity: 1, unitPrice: '10.99', vatRate: 8, mode: 'gross' }),
    computeLine({ quantity: 1, unitPrice: '0.01', vatRate: 23, mode: 'gross' }),
  ];
  it('sums lines and groups them per rate', () => {
    expect(sumLines(lines)).toEqual({ net: '91.48', vat: '19.51', gross: '110.99' });
    expect(totalsByRate(lines)).toEqual([
      { vatRate: '23.00', net: '81.30', vat: '18.70', gross: '100.00' },
      { vatRate: '8.00', net: '10.18', vat: '0.81', gross: '10.99' },
    ]);
  });
  it('refuses a total that differs from the marketplace total', () => {
    expect(() => assertExpectedGross(sumLines(lines), '110.99', 'PLN')).not.toThrow();
    expect(() => assertExpectedGross(sumLines(lines), 110.99, 'PLN')).not.toThrow();
    expect(() => assertExpectedGross(sumLines(lines), '111.00', 'PLN')).toThrow(
      'invoice total 110.99 PLN differs from the marketplace total 111.00 PLN',
    );
  });
});
