import pg from 'pg';

/** Advisory-lock key (two ints) guarding Agenda's table creation: "mch agenda schema". */
const SCHEMA_LOCK = [0x6d63_6861, 1] as const;

/**
 * Runs `fn` (Agenda's `CREATE TABLE/INDEX IF NOT EXISTS`, our unique index) while holding a
 * cluster-wide advisory lock: several host processes starting at once would otherwise race on
 * the catalog ("duplicate key value violates unique constraint pg_class_relname_nsp_index"),
 * which `IF NOT EXISTS` does not prevent. Its own connection, so Agenda's pool stays free.
 */
export async function withSchemaLock<T>(url: string, fn: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  // A dropped session fails the statement in flight; without a listener the event would be fatal.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1::int, $2::int)', [...SCHEMA_LOCK]);
    return await fn();
  } finally {
    await client.end(); // ending the session releases the lock
  }
}
