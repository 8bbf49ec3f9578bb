import { describe, expect, it } from 'vitest';
import { mapOfUnique, mergeDisjoint } from './merge-disjoint.ts';

describe('mergeDisjoint', () => {
  it("keeps every part's members, getters included", () => {
    let reads = 0;
    const merged = mergeDisjoint(
      'Parts',
      { a: () => 1 },
      {
        get b() {
          reads += 1;
          return 2;
        },
      },
    );
    expect(merged.a()).toBe(1);
    expect([merged.b, merged.b]).toEqual([2, 2]);
    expect(reads).toBe(2);
  });

  it('refuses a member given by two parts instead of letting the last one win', () => {
    expect(() => mergeDisjoint('The service', { list: () => 1 }, { list: () => 2 })).toThrow(
      "The service: 'list' is given twice",
    );
  });
});

describe('mapOfUnique', () => {
  it('refuses a repeated key', () => {
    expect(mapOfUnique('Probes', [['db', 1]]).get('db')).toBe(1);
    expect(() =>
      mapOfUnique('Probes', [
        ['db', 1],
        ['db', 2],
      ]),
    ).toThrow("Probes: 'db' is given twice.");
  });
});
