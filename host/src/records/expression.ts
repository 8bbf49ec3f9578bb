import jsonata from 'jsonata';

/** Evaluates one compiled expression against an input with variable bindings (sync when it can be). */
export type Evaluator = (input: unknown, bindings: Record<string, unknown>) => unknown;

export interface AstNode {
  type: string;
  value?: unknown;
  position?: number;
  steps?: AstNode[];
  stages?: AstNode[];
  expr?: AstNode;
  expression?: AstNode;
  expressions?: AstNode[];
  lhs?: AstNode | [AstNode, AstNode][];
  rhs?: AstNode;
  condition?: AstNode;
  then?: AstNode;
  else?: AstNode;
  arguments?: AstNode[];
  procedure?: AstNode;
  [key: string]: unknown;
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** Returned by a fast evaluator when a case needs real JSONata semantics. */
export const FALLBACK: unique symbol = Symbol('fallback');
type Fast = (input: unknown, bindings: Record<string, unknown>) => unknown;

const has = (node: AstNode, allowed: readonly string[]) =>
  Object.keys(node).every((k) => allowed.includes(k));
const BASE = ['type', 'value', 'position'];

/** JSONata's boolean cast ($boolean) for the values the fast path lets through. */
function toBoolean(value: unknown): boolean | typeof FALLBACK {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value.length > 0;
  // JSONata: a non-empty object is true; arrays follow their items' rules, left to JSONata.
  if (typeof value === 'object' && !Array.isArray(value)) return Object.keys(value).length > 0;
  return FALLBACK;
}

const isPrimitive = (v: unknown) =>
  v === null || v === undefined || ['string', 'number', 'boolean'].includes(typeof v);

function compileStep(
  step: AstNode,
  first: boolean,
): ((value: unknown, input: unknown, b: Record<string, unknown>) => unknown) | undefined {
  if (!has(step, [...BASE, 'stages']) || typeof step.value !== 'string') return undefined;
  let index: number | undefined;
  if (step.stages) {
    const [stage, ...rest] = step.stages;
    if (rest.length || !stage || stage.type !== 'filter' || !has(stage, ['type', 'expr', 'position']))
      return undefined;
    const expr = stage.expr;
    if (!expr || expr.type !== 'number' || !Number.isInteger(expr.value)) return undefined;
    index = expr.value as number;
  }
  const name = step.value;
  if (step.type === 'variable') {
    if (!first || index !== undefined || name === '') return undefined;
    return (_value, _input, b) => b[name];
  }
  if (step.type !== 'name') return undefined;
  return (value) => {
    // JSONata maps a path over arrays and flattens; leave those cases to it.
    if (Array.isArray(value)) return FALLBACK;
    if (value === null || typeof value !== 'object') return undefined;
    const next = (value as Record<string, unknown>)[name];
    if (index === undefined) return next;
    if (!Array.isArray(next)) return index === 0 || index === -1 ? next : undefined;
    const items = next as unknown[];
    return items[index < 0 ? items.length + index : index];
  };
}

function compilePath(node: AstNode): Fast | undefined {
  const steps = node.type === 'path' ? node.steps : [node];
  if (!steps?.length || (node.type === 'path' && !has(node, [...BASE, 'steps']))) return undefined;
  const compiled = steps.map((s, i) => compileStep(s, i === 0));
  if (compiled.some((s) => !s)) return undefined;
  const fns = compiled as NonNullable<(typeof compiled)[number]>[];
  return (input, bindings) => {
    let value: unknown = input;
    for (const fn of fns) {
      value = fn(value, input, bindings);
      if (value === FALLBACK) return FALLBACK;
      if (value === undefined) return undefined;
    }
    return Array.isArray(value) ? finalArray(value, fns.length) : value;
  };
}

/**
 * A path ending on an array: one plain step (`lineItems`) yields the array itself, as JSONata
 * does; longer paths and nested arrays go through JSONata's sequence flattening.
 */
function finalArray(value: unknown[], steps: number): unknown {
  if (steps !== 1) return FALLBACK;
  for (const item of value) if (Array.isArray(item)) return FALLBACK;
  return value;
}

type Binary = (a: unknown, b: unknown) => unknown;
const EQUALITY: Record<string, Binary> = {
  '=': (a, b) => (a === undefined || b === undefined ? false : a === b),
  '!=': (a, b) => (a === undefined || b === undefined ? false : a !== b),
};
const ORDER: Record<string, (a: number | string, b: number | string) => boolean> = {
  '<': (a, b) => a < b,
  '>': (a, b) => a > b,
  '<=': (a, b) => a <= b,
  '>=': (a, b) => a >= b,
};

function compileBinary(node: AstNode): Fast | undefined {
  const op = node.value as string;
  const lhs = node.lhs && !Array.isArray(node.lhs) ? compileFast(node.lhs) : undefined;
  const rhs = node.rhs ? compileFast(node.rhs) : undefined;
  if (!lhs || !rhs) return undefined;
  const equality = EQUALITY[op];
  if (equality) {
    return (input, b) => {
      const x = lhs(input, b);
      const y = rhs(input, b);
      if (x === FALLBACK || y === FALLBACK || !isPrimitive(x) || !isPrimitive(y)) return FALLBACK;
      return equality(x, y);
    };
  }
  const order = ORDER[op];
  if (order) {
    return (input, b) => {
      const x = lhs(input, b);
      const y = rhs(input, b);
      // Only numbers with numbers, strings with strings; the rest (errors, undefined) is JSONata's.
      if (
        (typeof x === 'number' && typeof y === 'number') ||
        (typeof x === 'string' && typeof y === 'string')
      )
        return order(x, y);
      return FALLBACK;
    };
  }
  if (op === 'and' || op === 'or') {
    return (input, b) => {
      const x = toBoolean(lhs(input, b));
      if (x === FALLBACK) return FALLBACK;
      if (op === 'and' ? !x : x) return x;
      return toBoolean(rhs(input, b));
    };
  }
  if (op === '&') {
    return (input, b) => {
      const x = lhs(input, b);
      const y = rhs(input, b);
      const str = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : FALLBACK);
      const sx = str(x);
      const sy = str(y);
      return sx === FALLBACK || sy === FALLBACK ? FALLBACK : sx + sy;
    };
  }
  return undefined;
}

function compileCondition(node: AstNode): Fast | undefined {
  const cond = node.condition && compileFast(node.condition);
  const then = node.then && compileFast(node.then);
  const otherwise = node.else ? compileFast(node.else) : () => undefined;
  if (!cond || !then || !otherwise) return undefined;
  return (input, b) => {
    const c = cond(input, b);
    if (c === FALLBACK) return FALLBACK;
    const truth = toBoolean(c);
    if (truth === FALLBACK) return FALLBACK;
    return truth ? then(input, b) : otherwise(input, b);
  };
}

function compileArray(node: AstNode): Fast | undefined {
  const items = (node.expressions ?? []).map((e) =>
    e.type === 'unary' && e.value === '[' ? undefined : compileFast(e),
  );
  if (items.some((i) => !i)) return undefined; // nested array constructors keep their nesting: JSONata's job
  const fns = items as Fast[];
  return (input, b) => {
    const out: unknown[] = [];
    for (const fn of fns) {
      const v = fn(input, b);
      if (v === FALLBACK || Array.isArray(v)) return FALLBACK;
      if (v !== undefined) out.push(v);
    }
    return out;
  };
}

function compileObject(node: AstNode): Fast | undefined {
  const pairs = Array.isArray(node.lhs) ? node.lhs : undefined;
  if (!pairs) return undefined;
  const compiled: [string, Fast][] = [];
  for (const [key, value] of pairs) {
    const fn = compileFast(value);
    if (key.type !== 'string' || typeof key.value !== 'string' || !fn) return undefined;
    compiled.push([key.value, fn]);
  }
  return (input, b) => {
    if (Array.isArray(input)) return FALLBACK; // grouping over a sequence
    const out: Record<string, unknown> = {};
    for (const [key, fn] of compiled) {
      const v = fn(input, b);
      if (v === FALLBACK) return FALLBACK;
      if (v !== undefined) out[key] = v;
    }
    return out;
  };
}

function compileFunction(node: AstNode): Fast | undefined {
  const name = node.procedure?.type === 'variable' ? node.procedure.value : undefined;
  const args = (node.arguments ?? []).map((a) => compileFast(a));
  if (args.some((a) => !a)) return undefined;
  const [a, b] = args as Fast[];
  if (name === 'string' && a && args.length === 1) {
    return (input, bs) => {
      const v = a(input, bs);
      return typeof v === 'string' || v === undefined
        ? v
        : typeof v === 'number' && Number.isInteger(v)
          ? String(v)
          : FALLBACK;
    };
  }
  if (name === 'number' && a && args.length === 1) {
    return (input, bs) => {
      const v = a(input, bs);
      if (v === undefined || (typeof v === 'number' && Number.isFinite(v))) return v;
      // JSON number syntax only, as JSONata; anything else (its errors included) is JSONata's.
      return typeof v === 'string' && JSON_NUMBER.test(v) ? Number(v) : FALLBACK;
    };
  }
  if (name === 'exists' && a && args.length === 1) {
    return (input, bs) => {
      const v = a(input, bs);
      return v === FALLBACK ? FALLBACK : v !== undefined;
    };
  }
  if (name === 'append' && a && b && args.length === 2) {
    return (input, bs) => {
      const x = a(input, bs);
      const y = b(input, bs);
      if (x === FALLBACK || y === FALLBACK) return FALLBACK;
      if (x === undefined) return y;
      if (y === undefined) return x;
      const xs: unknown[] = Array.isArray(x) ? (x as unknown[]) : [x];
      const ys: unknown[] = Array.isArray(y) ? (y as unknown[]) : [y];
      return [...xs, ...ys];
    };
  }
  return undefined;
}

/**
 * A synchronous evaluator for the common subset of JSONata mapping fields (paths, `[n]`,
 * literals, comparisons, `and`/`or`, `&`, `? :`, array/object constructors, `$string`,
 * `$number`, `$exists`, `$append`), or undefined when the expression needs full JSONata. At run time it
 * returns {@link FALLBACK} whenever the data leaves the subset (e.g. a path crossing an array),
 * so results always equal JSONata's. JSONata's evaluator is async and costs ~10 µs per call;
 * this keeps a 3-line order well under 100 µs.
 */
export function compileFast(node: AstNode): Fast | undefined {
  switch (node.type) {
    case 'number':
    case 'string':
    case 'value': {
      if (!has(node, BASE)) return undefined;
      const constant = node.value;
      return () => constant;
    }
    case 'path':
    case 'name':
    case 'variable':
      return compilePath(node);
    case 'binary':
      return compileBinary(node);
    case 'condition':
      return compileCondition(node);
    case 'block':
      return node.expressions?.length === 1 && node.expressions[0]
        ? compileFast(node.expressions[0])
        : undefined;
    case 'unary':
      if (node.value === '[') return compileArray(node);
      if (node.value === '{') return compileObject(node);
      return undefined;
    case 'function':
      return compileFunction(node);
    default:
      return undefined;
  }
}

/** Compiles a JSONata expression once; throws JSONata's error on bad syntax. */
export function compileExpression(source: string): Evaluator {
  const expression = jsonata(source);
  const slow: Evaluator = (input, bindings) => expression.evaluate(input, bindings);
  const fast = compileFast(expression.ast() as AstNode);
  if (!fast) return slow;
  return (input, bindings) => {
    const value = fast(input, bindings);
    return value === FALLBACK ? slow(input, bindings) : value;
  };
}
