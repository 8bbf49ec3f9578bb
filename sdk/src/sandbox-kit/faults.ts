import { z } from 'zod';
import { createRng, type Rng } from './prng.ts';

/**
 * Fault switches every sandbox understands. A plugin adds its own with
 * `baseFaultsSchema.extend({...})` and passes the extended schema to `createFaultState`.
 * The same object is accepted at start (`SandboxOptions.faults`) and by `PUT /__sandbox/faults`.
 */
export const baseFaultsSchema = z.object({
  /** Fraction (0–1) of API requests answered with `errorStatus`. */
  errorRate: z.number().min(0).max(1).default(0),
  errorStatus: z.number().int().min(500).max(599).default(503),
  /** The next N API requests are answered 429 (counts down as it fires). */
  burst429: z.number().int().min(0).default(0),
  /** Fraction (0–1) of API requests answered 429, at random among the others. */
  rate429: z.number().min(0).max(1).default(0),
  /** `Retry-After` seconds on an injected 429, unless the sandbox sends its own headers. */
  retryAfter429: z.number().int().min(0).max(3600).default(1),
  /** Added to every API response, in milliseconds. */
  latencyMs: z.number().int().min(0).max(600_000).default(0),
  /** Fraction (0–1) of API requests that never get an answer (until the client gives up). */
  hangRate: z.number().min(0).max(1).default(0),
  /** Only URLs starting with one of these prefixes suffer the faults above (empty: all). */
  routes: z.array(z.string()).default([]),
});

export type BaseFaults = z.output<typeof baseFaultsSchema>;

export type FaultUpdate =
  { ok: true; faults: Record<string, unknown> } | { ok: false; issues: { path: string; message: string }[] };

export interface FaultState<T extends BaseFaults = BaseFaults> {
  get(): T;
  /** Merges a partial update; unknown keys and bad values are refused, nothing changes then. */
  update(patch: unknown): FaultUpdate;
  /** Back to the switches given at start, and the fault dice re-seeded. */
  reset(): void;
  /** Counts one 429 of the burst down; true if this request should get it. */
  takeBurst429(): boolean;
  /** Dice for the probabilistic faults: seeded, so a run with the same seed and requests repeats. */
  readonly rng: Rng;
}

function toIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: `/${i.path.map(String).join('/')}`, message: i.message }));
}

export function createFaultState<S extends z.ZodObject>(options: {
  schema: S;
  initial?: unknown;
  seed?: string | number;
  /** Called after every successful update and after reset, for switches that act on data (e.g. merging orders). */
  onChange?: (faults: z.output<S> & BaseFaults) => void;
}): FaultState<z.output<S> & BaseFaults> {
  type T = z.output<S> & BaseFaults;
  const { schema } = options;
  const seed = `${options.seed ?? 0}:faults`;
  const start = schema.strict().safeParse(options.initial ?? {});
  if (!start.success) {
    throw new Error(`Invalid sandbox faults: ${JSON.stringify(toIssues(start.error))}`);
  }
  const initial = start.data as T;
  let current: T = { ...initial };
  let rng = createRng(seed);
  const state: FaultState<T> = {
    get: () => current,
    update(patch) {
      const checked = schema.partial().strict().safeParse(patch);
      if (!checked.success) return { ok: false, issues: toIssues(checked.error) };
      const merged = schema.parse({ ...current, ...(checked.data as object) }) as T;
      current = merged;
      options.onChange?.(current);
      return { ok: true, faults: current };
    },
    reset() {
      current = { ...initial };
      rng = createRng(seed);
      options.onChange?.(current);
    },
    takeBurst429() {
      if (current.burst429 <= 0) return false;
      current = { ...current, burst429: current.burst429 - 1 };
      return true;
    },
    get rng() {
      return rng;
    },
  };
  return state;
}
