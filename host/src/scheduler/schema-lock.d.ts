/**
 * Runs `fn` (Agenda's `CREATE TABLE/INDEX IF NOT EXISTS`, our unique index) while holding a
 * cluster-wide advisory lock: several host processes starting at once would otherwise race on
 * the catalog ("duplicate key value violates unique constraint pg_class_relname_nsp_index"),
 * which `IF NOT EXISTS` does not prevent. Its own connection, so Agenda's pool stays free.
 */
export declare function withSchemaLock<T>(url: string, fn: () => Promise<T>): Promise<T>;
