import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { type AstNode, compileExpression, compileFast, FALLBACK } from './expression.ts';

/** JSONata sequences carry extra properties; compare plain values. */
const plain = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

const inputs: unknown[] = [
  {
    a: { b: 1, c: 'x', one: [{ v: 8 }], list: [1, 2] },
    s: 'CANCELLED',
    n: 0,
    list: [{ v: 1 }, { v: 2 }],
    one: [{ v: 7 }],
    none: [],
    nested: [[1], [2]],
    e: '',
    z: null,
  },
  { a: null, s: 'READY', n: 5, list: { v: 3 }, one: [], e: 'y', t: true, price: '33.10', bad: '-0.5e2' },
  [{ a: { b: 2 } }, { a: { b: 3 } }],
  {},
];
const expressions = [
  'a.b',
  'a.c',
  'a.b.c',
  'list',
  'list.v',
  'list[0].v',
  'list[-1].v',
  'list[1]',
  'one',
  'none',
  'nested',
  'a.one',
  'a.list',
  'z',
  's = "CANCELLED"',
  's != "CANCELLED"',
  'missing = 1',
  'n > 1',
  'n <= "a"',
  'n = 0 and s = "READY"',
  'e or t',
  'a ? a.b : "none"',
  'e ? e : s',
  'list ? 1 : 2',
  's & " " & e & missing',
  'n & "x"',
  '$string(n)',
  '$string(s)',
  '$exists(a.b)',
  '$exists(missing)',
  '$append(list, [{"v": 9, "w": s}])',
  '$append(missing, one)',
  '$append(list, n > 1 ? [{"x": n}] : [])',
  '[a.b, s, missing]',
  '[list]',
  '{"k": s, "m": missing}',
  '$settings.rate',
  '$settings',
  '$record.s',
  '-n',
  '$number("1.5")',
  '$number(a.c)',
  '$number(n)',
  '$number(price)',
  '$number(bad)',
  '(s)',
  '23',
  '"PLN"',
  'true',
  'null',
];

describe('fast expression subset', () => {
  for (const source of expressions) {
    it(`agrees with JSONata on ${source}`, async () => {
      const compiled = compileExpression(source);
      for (const input of inputs) {
        const bindings = { settings: { rate: 23 }, record: input };
        let expected: unknown;
        let failure: unknown;
        try {
          expected = await jsonata(source).evaluate(input, bindings);
        } catch (error) {
          failure = error;
        }
        if (failure) {
          await expect(Promise.resolve().then(() => compiled(input, bindings))).rejects.toBeDefined();
        } else {
          expect(plain(await compiled(input, bindings))).toEqual(plain(expected));
        }
      }
    });
  }

  it('covers the common mapping fields without JSONata', () => {
    for (const source of [
      'a.b',
      'list[0].v',
      's = "X"',
      'a ? b : c & " " & d',
      '$append(a, b != "0" ? [{"x": 1}] : [])',
      '$settings.x',
      '$number(b)',
    ]) {
      const fast = compileFast(jsonata(source).ast() as AstNode);
      expect(fast, source).toBeDefined();
      expect(fast!({ a: { b: 1 }, b: '1' }, { settings: { x: 1 } })).not.toBe(FALLBACK);
    }
  });
});
