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
  '$',
  '$$',
  '$$.s',
  '$.a',
  'a ? $.s : null',
  "list.{'x': v, 'r': $$.s}",
  "one.{'x': v}",
  "none.{'x': v}",
  "a.{'k': b}",
  '$substring(s, 0, 3)',
  '$substring(s, 2)',
  '$substring(s, -2)',
  '$substring(missing, 0, 2)',
  '$substring(n, 0, 1)',
  '$substring(s, 1, -1)',
  'n > 1 ? [{"a": 1}] : $max(list.v)',
  "$append(list.{'v': v}, n > 1 ? [{'v': n}] : [])",
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
      '$substring($now(), 0, 10)',
      'b ? $ : null',
      "a.{'x': b, 'r': $$.b}",
      'b = "1" ? "one" : $max(a)',
    ]) {
      const fast = compileFast(jsonata(source).ast() as AstNode);
      expect(fast, source).toBeDefined();
      const input = { a: { b: 1 }, b: '1' };
      expect(fast!(input, { settings: { x: 1 } }, input)).not.toBe(FALLBACK);
    }
  });
});

describe('$now() on the fast path', () => {
  it('is an ISO timestamp like JSONata gives', () => {
    const value = compileExpression('$substring($now(), 0, 10)')({}, {});
    expect(value).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
