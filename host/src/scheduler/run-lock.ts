import { createPgPool, type ConnectionListener } from '../db/pg-pool.ts';

/** A held run lock; `lost` is aborted if the lock can no longer be guaranteed (connection dropped). */
export interface HeldRunLock {
  lost: AbortSignal;
  release(): Promise<void>;
}

/**
 * Mutual exclusion of runs of one (integration, job), whatever started them. Agenda's own lock is
 * per job *document*: it keeps two processes from running the same recurring document at once,
 * but a manual run, a webhook run or a retry is a separate document and would run beside it.
 * This lock is keyed by (integration, job) instead, and is taken by every run before its handler.
 */
export interface RunLock {
  tryAcquire(key: string): Promise<HeldRunLock | undefined>;
  close(): Promise<void>;
}

/**
 * Embedded database: one process by design (PGlite lives in it), so a key set is enough. It is
 * shared per database object so that several schedulers on one embedded database (tests) agree.
 */
const embeddedLocks = new WeakMap<object, Set<string>>();

export function createInProcessRunLock(owner: object): RunLock {
  let held = embeddedLocks.get(owner);
  if (!held) {
    held = new Set();
    embeddedLocks.set(owner, held);
  }
  const keys = held;
  return {
    tryAcquire(key) {
      if (keys.has(key)) return Promise.resolve(undefined);
      keys.add(key);
      return Promise.resolve({
        lost: new AbortController().signal,
        release: () => {
          keys.delete(key);
          return Promise.resolve();
        },
      });
    },
    close: () => Promise.resolve(),
  };
}

/** Advisory-lock namespace (first int of the two-int key): "mch run lock". */
const LOCK_CLASS = 0x6d63_6872;

/**
 * PostgreSQL: a session-level `pg_try_advisory_lock` held on a dedicated connection for the
 * whole run. The server releases it if the process dies, so a crash never wedges a job. Its own
 * small pool keeps long runs from starving the application pool. A hash collision of two keys only
 * serializes two unrelated jobs, never lets two runs of one job overlap.
 */
export function createAdvisoryRunLock(options: {
  url: string;
  max: number;
  listener?: ConnectionListener | undefined;
}): RunLock {
  // Guarded against server restarts (pg-pool.ts): a dropped session only ends the runs it locked.
  const pool = createPgPool({
    url: options.url,
    max: options.max,
    name: 'run-locks',
    listener: options.listener,
  });
  return {
    async tryAcquire(key) {
      const client = await pool.connect();
      let locked = false;
      let failure: Error | undefined;
      try {
        const result = await client.query<{ locked: boolean }>(
          'select pg_try_advisory_lock($1::int, hashtext($2)) as locked',
          [LOCK_CLASS, key],
        );
        locked = result.rows[0]?.locked === true;
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        throw error;
      } finally {
        // A session that failed is destroyed rather than handed to the next run.
        if (!locked) client.release(failure);
      }
      if (!locked) return undefined;
      const lost = new AbortController();
      // The lock dies with its session: tell the run so it stops instead of running unguarded.
      const onError = () => lost.abort(new Error('Lost the database connection holding the run lock.'));
      client.on('error', onError);
      return {
        lost: lost.signal,
        async release() {
          client.off('error', onError);
          try {
            await client.query('select pg_advisory_unlock($1::int, hashtext($2))', [LOCK_CLASS, key]);
            client.release();
          } catch (error) {
            // Destroying the session releases the lock anyway.
            client.release(error instanceof Error ? error : true);
          }
        },
      };
    },
    close: () => pool.end(),
  };
}
