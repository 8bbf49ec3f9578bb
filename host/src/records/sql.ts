import type { PgLikeClient } from '../db/pglite-pool.ts';

/**
 * Multi-row statements built on `unnest($1::type[], …)`: one statement and one fixed SQL text per
 * table whatever the batch size (the server parses and plans it once per connection), values
 * always as parameters.
 */

export interface Column<Row> {
  name: string;
  /** PostgreSQL element type of the parameter array, e.g. `uuid`, `text`, `numeric`. */
  type: string;
  /** Cast applied in the select list, e.g. `jsonb` for JSON sent as text. */
  cast?: string;
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
  const list = columns.map((c) => (c.cast ? `u.${c.name}::${c.cast}` : `u.${c.name}`));
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
