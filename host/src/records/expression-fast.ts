/**
 * A synchronous evaluator for the subset of JSONata that mapping fields mostly use: paths
 * (`a.b`, `a[0].b`, `$`, `$$`, `$settings.x`, `items.{ 'k': v }`), literals, `=`/`!=`/`<`…,
 * `and`/`or`, `&`, `? :`, array and object constructors, `$string`, `$number`, `$exists`,
 * `$append`, `$substring`, `$now`. JSONata's own evaluator is async and costs ~10 µs per call;
 * this keeps a 3-line order well under 100 µs.
 *
 * Whenever the data or a sub-expression leaves the subset, the evaluator returns
 * {@link FALLBACK} and the caller evaluates the whole expression with JSONata, so results always
 * equal JSONata's (expression.test.ts compares them). An unsupported branch that is not taken
 * (e.g. the delivery line of an order without delivery) costs nothing.
 *
 * It reads JSONata's parse tree (`expression.ast()`, not a documented format), so jsonata is
 * pinned exactly in host/package.json; upgrade it only with expression-fast.test.ts (generated
 * expressions against plain JSONata) and expression.test.ts passing.
 */

export interface AstNode {
  type: string;
  value?: unknown;
  position?: number;
  steps?: AstNode[];
  stages?: AstNode[];
  expr?: AstNode;
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

export const FALLBACK: unique symbol = Symbol('fallback');
/** `input` is the context (`$`), `root` the evaluation's input (`$$`). */
export type Fast = (input: unknown, bindings: Record<string, unknown>, root: unknown) => unknown;

const UNSUPPORTED: Fast = () => FALLBACK;
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const SURROGATE = /[\uD800-\uDFFF]/;
const BASE = ['type', 'value', 'position'];
const has = (node: AstNode, allowed: readonly string[]) =>
  Object.keys(node).every((k) => allowed.includes(k));
const isPrimitive = (v: unknown) =>
  v === null || v === undefined || ['string', 'number', 'boolean'].includes(typeof v);

/** JSONata's boolean cast for the values the fast path lets through. */
function toBoolean(value: unknown): boolean | typeof FALLBACK {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value.length > 0;
  if (typeof value === 'object' && !Array.isArray(value)) return Object.keys(value).length > 0;
  return FALLBACK;
}

type Step = (value: unknown, bindings: Record<string, unknown>, root: unknown) => unknown;

function compileStep(step: AstNode, first: boolean): Step | undefined {
  if (!has(step, [...BASE, 'stages']) || typeof step.value !== 'string') return undefined;
  let index: number | undefined;
  if (step.stages) {
    const [stage, ...rest] = step.stages;
    if (rest.length || !stage || stage.type !== 'filter' || !has(stage, ['type', 'expr', 'position']))
      return undefined;
    if (stage.expr?.type !== 'number' || !Number.isInteger(stage.expr.value)) return undefined;
    index = stage.expr.value as number;
  }
  const name = step.value;
  if (step.type === 'variable') {
    if (!first || index !== undefined) return undefined;
    if (name === '') return (value) => value; // `$`: the context
    if (name === '$') return (_value, _b, root) => root; // `$$`: the evaluation's input
    return (_value, b) => b[name];
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

function compilePath(node: AstNode): Fast {
  const steps = node.type === 'path' ? node.steps : [node];
  if (!steps?.length || (node.type === 'path' && !has(node, [...BASE, 'steps']))) return UNSUPPORTED;
  const last = steps[steps.length - 1]!;
  // `items.{ … }`: one object per item (a single item gives the object itself, as JSONata).
  const ctor =
    steps.length > 1 && last.type === 'unary' && last.value === '{' ? compileObject(last) : undefined;
  const body = ctor ? steps.slice(0, -1) : steps;
  const compiled = body.map((s, i) => compileStep(s, i === 0));
  if (compiled.some((s) => !s)) return UNSUPPORTED;
  const fns = compiled as Step[];
  const isVariable = body[0]!.type === 'variable';
  return (input, bindings, root) => {
    let value: unknown = input;
    for (const fn of fns) {
      value = fn(value, bindings, root);
      if (value === FALLBACK) return FALLBACK;
      if (value === undefined) return undefined;
    }
    if (ctor) {
      if (!Array.isArray(value)) return ctor(value, bindings, root);
      const out: unknown[] = [];
      for (const item of value as unknown[]) {
        if (Array.isArray(item)) return FALLBACK;
        const made = ctor(item, bindings, root);
        if (made === FALLBACK) return FALLBACK;
        out.push(made);
      }
      return out.length === 0 ? undefined : out.length === 1 ? out[0] : out;
    }
    if (!Array.isArray(value)) return value;
    const list = value as unknown[];
    // One plain name step (`lineItems`) yields the array itself; anything else flattens: JSONata's job.
    if (fns.length !== 1 || isVariable || list.some((item) => Array.isArray(item))) return FALLBACK;
    return list;
  };
}

const EQUALITY: Record<string, (a: unknown, b: unknown) => boolean> = {
  '=': (a, b) => (a === undefined || b === undefined ? false : a === b),
  '!=': (a, b) => (a === undefined || b === undefined ? false : a !== b),
};
const ORDER: Record<string, (a: number | string, b: number | string) => boolean> = {
  '<': (a, b) => a < b,
  '>': (a, b) => a > b,
  '<=': (a, b) => a <= b,
  '>=': (a, b) => a >= b,
};

function compileBinary(node: AstNode): Fast {
  const op = node.value as string;
  if (!node.lhs || Array.isArray(node.lhs) || !node.rhs) return UNSUPPORTED;
  const lhs = compileNode(node.lhs);
  const rhs = compileNode(node.rhs);
  const equality = EQUALITY[op];
  if (equality) {
    return (input, b, r) => {
      const x = lhs(input, b, r);
      const y = rhs(input, b, r);
      if (x === FALLBACK || y === FALLBACK || !isPrimitive(x) || !isPrimitive(y)) return FALLBACK;
      return equality(x, y);
    };
  }
  const order = ORDER[op];
  if (order) {
    return (input, b, r) => {
      const x = lhs(input, b, r);
      const y = rhs(input, b, r);
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
    return (input, b, r) => {
      const x = toBoolean(lhs(input, b, r));
      if (x === FALLBACK) return FALLBACK;
      if (op === 'and' ? !x : x) return x;
      return toBoolean(rhs(input, b, r));
    };
  }
  if (op === '&') {
    const str = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : FALLBACK);
    return (input, b, r) => {
      const x = str(lhs(input, b, r));
      const y = str(rhs(input, b, r));
      return x === FALLBACK || y === FALLBACK ? FALLBACK : x + y;
    };
  }
  return UNSUPPORTED;
}

function compileCondition(node: AstNode): Fast {
  if (!node.condition || !node.then) return UNSUPPORTED;
  const cond = compileNode(node.condition);
  const then = compileNode(node.then);
  const otherwise = node.else ? compileNode(node.else) : () => undefined;
  return (input, b, r) => {
    const c = cond(input, b, r);
    if (c === FALLBACK) return FALLBACK;
    const truth = toBoolean(c);
    if (truth === FALLBACK) return FALLBACK;
    return truth ? then(input, b, r) : otherwise(input, b, r);
  };
}

function compileArray(node: AstNode): Fast {
  // Nested array constructors keep their nesting: JSONata's job.
  if ((node.expressions ?? []).some((e) => e.type === 'unary' && e.value === '[')) return UNSUPPORTED;
  const fns = (node.expressions ?? []).map(compileNode);
  return (input, b, r) => {
    const out: unknown[] = [];
    for (const fn of fns) {
      const v = fn(input, b, r);
      if (v === FALLBACK || Array.isArray(v)) return FALLBACK;
      if (v !== undefined) out.push(v);
    }
    return out;
  };
}

function compileObject(node: AstNode): Fast {
  const pairs = Array.isArray(node.lhs) ? node.lhs : undefined;
  if (!pairs) return UNSUPPORTED;
  const compiled: [string, Fast][] = [];
  for (const [key, value] of pairs) {
    if (key.type !== 'string' || typeof key.value !== 'string') return UNSUPPORTED;
    compiled.push([key.value, compileNode(value)]);
  }
  return (input, b, r) => {
    if (Array.isArray(input)) return FALLBACK; // grouping over a sequence
    const out: Record<string, unknown> = {};
    for (const [key, fn] of compiled) {
      const v = fn(input, b, r);
      if (v === FALLBACK) return FALLBACK;
      if (v !== undefined) out[key] = v;
    }
    return out;
  };
}

function compileFunction(node: AstNode): Fast {
  const name = node.procedure?.type === 'variable' ? node.procedure.value : undefined;
  const args = (node.arguments ?? []).map(compileNode);
  const [a, b, c] = args;
  const arity = args.length;
  if (name === 'now' && arity === 0) return () => new Date().toISOString();
  if (!a) return UNSUPPORTED;
  if (name === 'string' && arity === 1) {
    return (i, bs, r) => {
      const v = a(i, bs, r);
      if (typeof v === 'string' || v === undefined) return v;
      return typeof v === 'number' && Number.isInteger(v) ? String(v) : FALLBACK;
    };
  }
  if (name === 'number' && arity === 1) {
    return (i, bs, r) => {
      const v = a(i, bs, r);
      if (v === undefined || (typeof v === 'number' && Number.isFinite(v))) return v;
      // JSON number syntax only, as JSONata; anything else (its errors included) is JSONata's.
      return typeof v === 'string' && JSON_NUMBER.test(v) ? Number(v) : FALLBACK;
    };
  }
  if (name === 'exists' && arity === 1) {
    return (i, bs, r) => {
      const v = a(i, bs, r);
      return v === FALLBACK ? FALLBACK : v !== undefined;
    };
  }
  if (name === 'append' && b && arity === 2) {
    return (i, bs, r) => {
      const x = a(i, bs, r);
      const y = b(i, bs, r);
      if (x === FALLBACK || y === FALLBACK) return FALLBACK;
      if (x === undefined) return y;
      if (y === undefined) return x;
      const xs: unknown[] = Array.isArray(x) ? (x as unknown[]) : [x];
      const ys: unknown[] = Array.isArray(y) ? (y as unknown[]) : [y];
      return [...xs, ...ys];
    };
  }
  if (name === 'substring' && b && (arity === 2 || arity === 3)) {
    return (i, bs, r) => {
      const s = a(i, bs, r);
      const start = b(i, bs, r);
      const length = c ? c(i, bs, r) : undefined;
      // JSONata checks the arguments against the signature even when the string is missing.
      if (s === undefined) {
        const numbers = typeof start === 'number' && (arity === 3 ? typeof length === 'number' : true);
        return numbers ? undefined : FALLBACK;
      }
      // Code points equal UTF-16 units without surrogates; negative positions are JSONata's.
      if (typeof s !== 'string' || SURROGATE.test(s) || !Number.isInteger(start) || (start as number) < 0)
        return FALLBACK;
      if (length === undefined) return arity === 3 ? FALLBACK : s.substring(start as number);
      if (!Number.isInteger(length) || (length as number) < 0) return FALLBACK;
      return s.substring(start as number, (start as number) + (length as number));
    };
  }
  return UNSUPPORTED;
}

function compileNode(node: AstNode): Fast {
  switch (node.type) {
    case 'number':
    case 'string':
    case 'value': {
      if (!has(node, BASE)) return UNSUPPORTED;
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
        ? compileNode(node.expressions[0])
        : UNSUPPORTED;
    case 'unary':
      if (node.value === '[') return compileArray(node);
      if (node.value === '{') return compileObject(node);
      return UNSUPPORTED;
    case 'function':
      return compileFunction(node);
    default:
      return UNSUPPORTED;
  }
}

/** The fast evaluator of an expression, or undefined when its top level is outside the subset. */
export function compileFast(ast: AstNode): Fast | undefined {
  const fast = compileNode(ast);
  return fast === UNSUPPORTED ? undefined : fast;
}
