import jsonata from 'jsonata';
import { type AstNode, compileFast, FALLBACK } from './expression-fast.ts';

export { type AstNode, compileFast, FALLBACK } from './expression-fast.ts';

/** Evaluates one compiled expression against an input with variable bindings (sync when it can be). */
export type Evaluator = (input: unknown, bindings: Record<string, unknown>) => unknown;

/**
 * Compiles a JSONata expression once (throws JSONata's error on bad syntax). Evaluation takes the
 * synchronous fast path when it can and JSONata's evaluator (a Promise) otherwise.
 */
export function compileExpression(source: string): Evaluator {
  const expression = jsonata(source);
  const slow: Evaluator = (input, bindings) => expression.evaluate(input, bindings);
  const fast = compileFast(expression.ast() as AstNode);
  if (!fast) return slow;
  return (input, bindings) => {
    const value = fast(input, bindings, input);
    return value === FALLBACK ? slow(input, bindings) : value;
  };
}
