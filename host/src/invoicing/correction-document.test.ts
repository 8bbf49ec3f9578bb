import { describe, expect, it } from 'vitest';
import { CorrectionError, correctionLines } from './correction-document.ts';
import type { FrozenDocument, FrozenLine } from './frozen-document.ts';

const line = (
  position: number,
  gross: string,
  net: string,
  vatRate: string,
  quantity = '1.000',
): FrozenLine => ({
  position,
  name: `Line ${position}`,
  quantity,
  unit: 'szt.',
  unitNet: net,
  unitGross: gross,
  vatRate,
  net,
  vat: (Number(gross) - Number(net)).toFixed(2),
  gross,
});

/** An invoice of 123.00 at 23 %, 54.00 at 8 % and 10.00 at 5 %: 187.00 gross. */
const invoice = {
  number: 'FV/1/12/2026',
  currency: 'PLN',
  lines: [
    line(1, '123.00', '100.00', '23.00'),
    line(2, '54.00', '50.00', '8.00'),
    line(3, '10.00', '9.52', '5.00'),
  ],
} as unknown as FrozenDocument;

const sum = (lines: FrozenLine[], key: 'gross' | 'net' | 'vat') =>
  lines.reduce((total, l) => total + Math.round(Number(l[key]) * 100), 0) / 100;

describe('a refund of an amount on the whole invoice', () => {
  it('is spread over the lines in proportion to what is left on each, to the cent', () => {
    const lines = correctionLines(invoice, [], { amount: '18.70' });
    // 18.70 × 123/187 = 12.30, × 54/187 = 5.40, × 10/187 = 1.00: exact.
    expect(lines.map((l) => [l.position, l.gross, l.net, l.vat, l.quantity])).toEqual([
      [1, '-12.30', '-10.00', '-2.30', '0.000'],
      [2, '-5.40', '-5.00', '-0.40', '0.000'],
      [3, '-1.00', '-0.95', '-0.05', '0.000'],
    ]);
  });

  it('gives the cents lost to rounding to the largest lines, so the shares add up to the amount', () => {
    const lines = correctionLines(invoice, [], { amount: '10.00' });
    // 6.577…, 2.887…, 0.534…: 6.57 + 2.88 + 0.53 = 9.98, the two cents over to lines 1 and 2.
    expect(lines.map((l) => l.gross)).toEqual(['-6.58', '-2.89', '-0.53']);
    expect(sum(lines, 'gross')).toBe(-10);
    expect(sum(lines, 'net') + sum(lines, 'vat')).toBeCloseTo(-10, 10);
  });

  it('counts what earlier corrections took off, and refuses more than is left', () => {
    const earlier = {
      lines: [{ ...line(1, '-123.00', '-100.00', '23.00'), quantity: '-1.000' }],
    } as unknown as FrozenDocument;
    const lines = correctionLines(invoice, [earlier], { amount: '64.00' });
    expect(lines.map((l) => [l.position, l.gross])).toEqual([
      [2, '-54.00'],
      [3, '-10.00'],
    ]);
    expect(() => correctionLines(invoice, [earlier], { amount: '64.01' })).toThrow(
      'The refund of 64.01 PLN is above the 64.00 PLN left to pay on invoice FV/1/12/2026.',
    );
  });

  it('refuses an amount that is not a positive number of cents', () => {
    expect(() => correctionLines(invoice, [], { amount: '0' })).toThrow(CorrectionError);
    expect(() => correctionLines(invoice, [], { amount: '1.005' })).toThrow(
      'The amount refunded has more than 2 decimals.',
    );
  });
});
