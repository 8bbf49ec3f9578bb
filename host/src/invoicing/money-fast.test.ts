import { describe, expect, it } from 'vitest';
import {
  computeLine,
  computeLineExact,
  sumLines,
  sumLinesExact,
  type LineAmounts,
  type LineInput,
} from './money.ts';
import { computeLineFast, formatFixed } from './money-fast.ts';

/** A small deterministic generator (mulberry32), so a failure names a reproducible case. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The amounts, or the refusal's message. */
function outcome(compute: (input: LineInput) => unknown, input: LineInput): unknown {
  try {
    return compute(input);
  } catch (error) {
    return (error as Error).message;
  }
}

const RATES = [
  '23',
  '8',
  '5',
  '0',
  '19',
  '9',
  '21',
  '27',
  '20',
  '0.19',
  '0.2100',
  23,
  5.5,
  '7.7',
  '0.05',
  100,
];

describe('money in integers (money-fast.ts)', () => {
  it('gives exactly what decimal.js gives for 100 000 random lines, and answers for nearly all', () => {
    const next = random(20261204);
    const decimals = (n: number, places: number) =>
      (Math.floor(next() * 10 ** (n + places)) / 10 ** places).toFixed(places);
    let fast = 0;
    for (let i = 0; i < 100_000; i++) {
      const input: LineInput = {
        quantity: next() < 0.8 ? String(1 + Math.floor(next() * 5)) : decimals(2, Math.floor(next() * 4)),
        unitPrice:
          next() < 0.1
            ? Number(decimals(4, 2))
            : decimals(1 + Math.floor(next() * 6), Math.floor(next() * 7)),
        vatRate: RATES[Math.floor(next() * RATES.length)]!,
        mode: next() < 0.5 ? 'gross' : 'net',
        ...(next() < 0.2 ? { discount: decimals(1, 2) } : {}),
      };
      const exact = outcome(computeLineExact, input);
      const got = outcome(computeLine, input);
      if (JSON.stringify(got) !== JSON.stringify(exact))
        expect({ input, got }).toEqual({ input, got: exact });
      if (typeof exact !== 'string' && computeLineFast({ ...input, vatRate: (exact as LineAmounts).vatRate }))
        fast++;
    }
    // Not a fast path that never runs: nearly every line takes it.
    expect(fast).toBeGreaterThan(75_000);
  });

  it('rounds half away from zero at the cent and at the fourth decimal, as decimal.js', () => {
    // 1.23 gross at 23 %: net = 1.23 / 1.23 = 1.00; 0.05 at 23 %: 0.0406… → 0.04.
    const cases: LineInput[] = [
      { quantity: '1', unitPrice: '1.23', vatRate: '23', mode: 'gross' },
      { quantity: '1', unitPrice: '0.05', vatRate: '23', mode: 'gross' },
      { quantity: '3', unitPrice: '0.005', vatRate: '0', mode: 'net' },
      { quantity: '0.125', unitPrice: '0.04', vatRate: '19', mode: 'net' },
      { quantity: '1', unitPrice: '10.00005', vatRate: '5', mode: 'gross' },
      { quantity: '2', unitPrice: '-5.00', vatRate: '23', mode: 'gross' },
      { quantity: '1', unitPrice: '2.00', vatRate: '23', mode: 'gross', discount: '5.00' },
      { quantity: '1', unitPrice: '1e3', vatRate: '23', mode: 'gross' },
    ];
    for (const input of cases) expect(outcome(computeLine, input)).toEqual(outcome(computeLineExact, input));
    expect(formatFixed(-5n, 2)).toBe('-0.05');
    expect(formatFixed(123456n, 4)).toBe('12.3456');
  });

  it('sums lines as decimal.js does, negative ones included', () => {
    const lines = [
      { net: '10.00', vat: '2.30', gross: '12.30' },
      { net: '-10.00', vat: '-2.30', gross: '-12.30' },
      { net: '0.01', vat: '0.00', gross: '0.01' },
    ];
    expect(sumLines(lines)).toEqual(sumLinesExact(lines));
    expect(sumLines(lines.slice(0, 2))).toEqual(sumLinesExact(lines.slice(0, 2)));
    expect(sumLines([{ net: '1.5', vat: '0.345', gross: '1.845' }])).toEqual(
      sumLinesExact([{ net: '1.5', vat: '0.345', gross: '1.845' }]),
    );
  });
});
