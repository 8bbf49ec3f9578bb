import pg from 'pg';

/** Where a pool reports that its server went away and came back (the host's logger). */
export interface ConnectionListener {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface PgPoolOptions {
  url: string;
  max: number;
  /** Names the pool in logs: `application`, `coordination`, `run-locks`, `notifications`. */
  name: string;
  listener?: ConnectionListener | undefined;
}

/** A new connection waits this long at most, so a vanished server fails fast instead of hanging. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * A `pg.Pool` that survives its server going away (restart, failover, network cut). `pg` reports a
 * dropped connection as an `'error'` event, and an `'error'` event without a listener takes the
 * process down (issue 20: a 10-second PostgreSQL restart killed the host with 57P01). Both paths
 * are covered: errors of idle clients, which `pg-pool` re-emits on the pool, and errors of
 * checked-out clients, from which `pg-pool` removes its own listener. The query in flight rejects
 * on its own and the pool discards the broken client; the next `connect()` dials again. Each
 * outage is logged once (first error), and once more when a new connection succeeds.
 */
export function createPgPool(options: PgPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
  });
  let down = false;
  const onError = (error: Error) => {
    if (down) return;
    down = true;
    options.listener?.warn(
      { pool: options.name, err: { message: error.message, code: (error as { code?: string }).code } },
      'Lost a database connection; reconnecting on the next use',
    );
  };
  pool.on('error', onError);
  pool.on('connect', (client) => {
    client.on('error', onError);
    if (down) {
      down = false;
      options.listener?.info({ pool: options.name }, 'Database connection restored');
    }
  });
  return pool;
}
