// Differential test of the fast evaluator against plain JSONata (the library it reads the parse
// tree of, pinned exactly in host/package.json): thousands of generated expressions over the
// subset and around its edges, on generated inputs. Wherever the fast path gives a value, it is
// JSONata's value; where JSONata fails, the fast path gives none (FALLBACK) or fails too.
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { type AstNode, compileFast, FALLBACK } from './expression-fast.ts';

/** A small seeded generator (mulberry32), so a failure names a case that can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}
type Random = ReturnType<typeof random>;

const FIELDS = ['a', 'b', 's', 'n', 'list', 'v', 'e', 'z'] as const;
const STRINGS = ['', 'CANCELLED', 'x', 'Łódź', 'ab😀c', '33.10', '-0.5e2', '1e3', ' 7', 'true'];
const NUMBERS = [0, 1, -1, 2.5, 23, -0.5, 1e21, 100];

function value(r: Random, depth: number): unknown {
  const kind = r.int(depth > 2 ? 5 : 8);
  if (kind === 0) return r.pick(STRINGS);
  if (kind === 1) return r.pick(NUMBERS);
  if (kind === 2) return r.next() < 0.5;
  if (kind === 3) return null;
  if (kind === 4) return r.pick(STRINGS);
  if (kind === 5 || kind === 6) return object(r, depth + 1);
  return Array.from({ length: r.int(4) }, () => value(r, depth + 1));
}

function object(r: Random, depth: number): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const field of FIELDS) if (r.next() < 0.6) result[field] = value(r, depth);
  return result;
}

function path(r: Random): string {
  const steps = Array.from({ length: 1 + r.int(3) }, () => {
    const step: string = r.pick(FIELDS);
    const index = r.int(6);
    return index === 0 ? `${step}[0]` : index === 1 ? `${step}[-1]` : index === 2 ? `${step}[1]` : step;
  });
  return steps.join('.');
}

function atom(r: Random): string {
  switch (r.int(9)) {
    case 0:
      return JSON.stringify(r.pick(STRINGS));
    case 1:
      return String(r.pick([0, 1, 2, 23, 1.5]));
    case 2:
      return r.pick(['true', 'false', 'null']);
    case 3:
      return r.pick(['$', '$$', '$settings.rate', '$record.s', '$$.n', '$.a']);
    default:
      return path(r);
  }
}

function expression(r: Random, depth: number): string {
  if (depth <= 0) return atom(r);
  const x = () => expression(r, depth - 1);
  switch (r.int(20)) {
    case 0:
      return `${x()} ${r.pick(['=', '!=', '<', '<=', '>', '>='])} ${x()}`;
    case 1:
      return `${x()} ${r.pick(['and', 'or'])} ${x()}`;
    case 2:
      return `${x()} & ${x()}`;
    case 3:
      return `${x()} ? ${x()} : ${x()}`;
    case 4:
      return `$string(${x()})`;
    case 5:
      return `$number(${x()})`;
    case 6:
      return `$exists(${x()})`;
    case 7:
      return `$append(${x()}, ${x()})`;
    case 8:
      return `$substring(${x()}, ${r.pick(['0', '1', '2', '-2', 'n'])})`;
    case 9:
      return `$substring(${x()}, ${r.pick(['0', '1', '-1'])}, ${r.pick(['0', '2', '3', '-1', 'n'])})`;
    case 10:
      return `[${x()}, ${x()}]`;
    case 11:
      return `{"k": ${x()}, "m": ${x()}}`;
    case 12:
      return `${path(r)}.{'x': ${x()}, 'r': $$.s}`;
    case 13:
      return `-${atom(r)}`;
    case 14:
      return `(${x()})`;
    case 15:
      return `$${r.pick(['max', 'sum', 'count'])}(${x()})`;
    default:
      return atom(r);
  }
}

/** JSONata sequences carry extra properties; compare plain values. */
const plain = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

// More cases or another seed: EXPRESSION_DIFF_CASES=50000 EXPRESSION_DIFF_SEED=7 npx vitest run …
const CASES = Number(process.env.EXPRESSION_DIFF_CASES ?? 3000);
const INPUTS_PER_CASE = 4;

describe('fast evaluator against plain JSONata', () => {
  it(`agrees on ${CASES} generated expressions × ${INPUTS_PER_CASE} inputs`, async () => {
    const r = random(Number(process.env.EXPRESSION_DIFF_SEED ?? 20261203));
    let fastValues = 0;
    let compared = 0;
    for (let i = 0; i < CASES; i++) {
      const source = expression(r, 1 + r.int(3));
      let compiled: ReturnType<typeof jsonata>;
      try {
        compiled = jsonata(source);
      } catch {
        continue; // not JSONata at all (the generator may write e.g. `--1`); nothing to compare
      }
      const fast = compileFast(compiled.ast() as AstNode);
      for (let k = 0; k < INPUTS_PER_CASE; k++) {
        const input = k === 0 ? value(r, 0) : object(r, 0);
        const bindings = { settings: { rate: r.pick([23, '23', null]) }, record: input };
        let expected: unknown;
        let failed = false;
        try {
          expected = await compiled.evaluate(input, bindings);
        } catch {
          failed = true;
        }
        if (!fast) continue;
        let actual: unknown;
        try {
          actual = fast(input, bindings, input);
        } catch (error) {
          expect(failed, `${source} on ${JSON.stringify(input)} threw ${String(error)}`).toBe(true);
          continue;
        }
        compared += 1;
        if (actual === FALLBACK) continue;
        fastValues += 1;
        const where = `${source} on ${JSON.stringify(input)}`;
        expect(failed, `${where}: JSONata fails, the fast path gave ${JSON.stringify(actual)}`).toBe(false);
        expect(plain(actual), where).toEqual(plain(expected));
      }
    }
    // The generated cases must exercise the fast path, not only its fallback.
    expect(compared).toBeGreaterThan(CASES);
    expect(fastValues).toBeGreaterThan(CASES / 2);
  }, 120_000);
});
