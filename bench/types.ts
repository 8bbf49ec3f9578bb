/** One row of the benchmark table. Targets compare against a baseline measured in the same run. */
export interface BenchRow {
  /** Benchmark group, e.g. "sandbox:allegro". */
  bench: string;
  /** What was measured, e.g. "checkout-forms pages/s". */
  metric: string;
  value: number;
  unit: string;
  /** Same work done the plain way in the same run, when the target is a ratio. */
  baseline?: number;
  /** value / baseline (or the multiple the target speaks of). */
  ratio?: number;
  /** Human-readable target, e.g. ">= 2000 orders/s" or "ratio <= 1.1". */
  target?: string;
  /** Whether the target was met; undefined when there is no target. */
  pass?: boolean;
  note?: string;
}

/** A benchmark file's default export. `quick` asks for a smaller run (smoke test of the bench itself). */
export type Bench = (options: { quick: boolean }) => Promise<BenchRow[]>;
