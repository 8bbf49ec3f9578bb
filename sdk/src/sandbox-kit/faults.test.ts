import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseFaultsSchema, createFaultState } from './faults.ts';

describe('fault state', () => {
  const schema = baseFaultsSchema.extend({ mergedOrders: z.number().int().min(0).default(0) });

  it('merges partial updates, refuses bad ones whole, and reports changes', () => {
    const seen: number[] = [];
    const faults = createFaultState({
      schema,
      initial: { mergedOrders: 1 },
      onChange: (f) => seen.push(f.mergedOrders),
    });
    expect(faults.get()).toMatchObject({ errorRate: 0, mergedOrders: 1, routes: [] });
    expect(faults.update({ mergedOrders: 3, latencyMs: 5 })).toMatchObject({ ok: true });
    const bad = faults.update({ latencyMs: 7, errorRate: -1 });
    expect(bad).toEqual({ ok: false, issues: [{ path: '/errorRate', message: expect.any(String) }] });
    expect(faults.get()).toMatchObject({ mergedOrders: 3, latencyMs: 5 });
    faults.reset();
    expect(faults.get()).toMatchObject({ mergedOrders: 1, latencyMs: 0 });
    expect(seen).toEqual([3, 1]);
  });

  it('counts 429 bursts down and re-seeds its dice on reset', () => {
    const faults = createFaultState({ schema, initial: { burst429: 2 }, seed: 9 });
    expect([faults.takeBurst429(), faults.takeBurst429(), faults.takeBurst429()]).toEqual([
      true,
      true,
      false,
    ]);
    const rolls = [faults.rng.next(), faults.rng.next()];
    faults.reset();
    expect([faults.rng.next(), faults.rng.next()]).toEqual(rolls);
    expect(faults.get().burst429).toBe(2);
  });
});
