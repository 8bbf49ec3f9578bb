import { describe, expect, it } from 'vitest';
import { createRng, formatUnits, rngFor } from './prng.ts';

describe('seeded PRNG', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const a = createRng('seed-1');
    const b = createRng('seed-1');
    const c = createRng('seed-2');
    const seqA = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('derives independent streams per record', () => {
    expect(rngFor(7, 'order', 5).uuid()).toBe(rngFor(7, 'order', 5).uuid());
    expect(rngFor(7, 'order', 5).uuid()).not.toBe(rngFor(7, 'order', 6).uuid());
    expect(rngFor(7, 'order', 5).uuid()).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('keeps int, pick, weighted and decimal within bounds', () => {
    const rng = createRng(42);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const n = rng.int(3, 6);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(6);
      seen.add(n);
      const d = rng.decimal(1, 2, 2);
      expect(d).toMatch(/^[12]\.\d{2}$/);
      expect(Number(d)).toBeLessThanOrEqual(2);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
    expect(['a', 'b']).toContain(rng.pick(['a', 'b']));
    expect(
      rng.weighted([
        ['x', 0],
        ['y', 1],
      ] as const),
    ).toBe('y');
    expect(() => rng.pick([])).toThrow();
  });

  it('formats minor units as exact decimal strings', () => {
    expect(formatUnits(1999)).toBe('19.99');
    expect(formatUnits(5)).toBe('0.05');
    expect(formatUnits(-120)).toBe('-1.20');
    expect(formatUnits(12345, 4)).toBe('1.2345');
    expect(formatUnits(7, 0)).toBe('7');
  });
});
