import type { PgLikeClient } from '../db/pglite-pool.ts';

/**
 * Multi-row statements built on `unnest($1::type[], …)`: one statement and one fixed SQL text per
 * table whatever the batch size (one text to parse, the same plan shape every page), values
 * always as parameters.
 *
 * Keyed lookups of a batch's rows (ledger, invoices, customers, products) are written as one
 * probe of the unique index per key — `cross join lateral (select … where <key> = k.key limit 1)`
 * — never as a plain join with the batch or as `key = any($n)`. Those two are planned from the
 * table's statistics, and while the table is new, never analyzed or has just grown (a first
 * import, autovacuum off or behind) the planner believes a tenant or an integration has a row or
 * two: it then hashes (or filters) *every* row of the integration for each batch, and a page's
 * cost grows with the table (the ledger and customer lookups went from 8 to 43 ms per page of 100
 * over the first 20 000 orders; a 100 000-order sync ran at 960 orders/s instead of 3 300). The
 * `limit 1` keeps the subquery from being flattened into such a join. (The ledger updates of
 * changed orders, `claimChanged` and `setLedgerStatus`, still match by join or `any`: they run
 * only for orders that changed since their last import.)
 */

export interface Column<Row> {
  name: string;
  /** PostgreSQL element type of the parameter array, e.g. `uuid`, `text`, `numeric`. */
  type: string;
  /** Cast applied in the select list, e.g. `jsonb` for JSON sent as text. */
  cast?: string;
  /** The select-list expression instead of `u.<name>` (it may use `u.<name>` and other parameters). */
  select?: string;
  value: (row: Row) => unknown;
}

/** `select u.a, u.b::jsonb, <extra> from unnest($n::t[], …) as u(a, b)` and its parameters. */
export function unnestSelect<Row>(options: {
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  /** Index of the first parameter (1-based). */
  firstParam?: number;
  /** Extra select-list expressions, e.g. `now()`. */
  extra?: readonly string[];
}): { text: string; values: unknown[] } {
  const first = options.firstParam ?? 1;
  const { columns, rows } = options;
  const list = columns.map((c) => c.select ?? (c.cast ? `u.${c.name}::${c.cast}` : `u.${c.name}`));
  const params = columns.map((c, i) => `$${first + i}::${c.type}[]`);
  const text = `select ${[...list, ...(options.extra ?? [])].join(', ')} from unnest(${params.join(', ')}) as u(${columns.map((c) => c.name).join(', ')})`;
  const values = columns.map((c) => rows.map((row) => c.value(row)));
  return { text, values };
}

/** PostgreSQL error codes worth retrying the whole batch for (another process got in the way). */
const RETRYABLE = new Set(['40P01', '40001']);

export function isRetryable(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && RETRYABLE.has(String((error as { code?: unknown }).code))
  );
}

/**
 * Runs `work` in a transaction on its own connection (on the embedded database this holds the
 * FIFO lock for the whole transaction; nothing else in the flow may query meanwhile). Deadlocks
 * and serialization failures retry the whole transaction.
 */
export async function inTransaction<T>(
  pool: { connect(): Promise<PgLikeClient> },
  work: (client: PgLikeClient) => Promise<T>,
  attempts = 4,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken: unknown;
    try {
      await client.query('begin');
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch((rollbackError: unknown) => (broken = rollbackError));
      if (attempt >= attempts || !isRetryable(error)) throw error;
    } finally {
      client.release(broken);
    }
  }
}
