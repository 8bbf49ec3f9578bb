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
export declare function createInProcessRunLock(owner: object): RunLock;
/**
 * PostgreSQL: a session-level `pg_try_advisory_lock` held on a dedicated connection for the
 * whole run. The server releases it if the process dies, so a crash never wedges a job. Its own
 * small pool keeps long runs from starving the application pool. A hash collision of two keys only
 * serializes two unrelated jobs, never lets two runs of one job overlap.
 */
export declare function createAdvisoryRunLock(options: {
    url: string;
    max: number;
}): RunLock;
