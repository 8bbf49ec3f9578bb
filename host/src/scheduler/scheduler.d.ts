import type { CreateSchedulerOptions, Scheduler } from './types.ts';
/**
 * The host's job scheduler: Agenda 6 on the host database (or MongoDB), one recurring document
 * per (integration, manifest job).
 *
 * Mutual exclusion, two layers:
 * 1. Agenda locks a document (`locked_at`, atomic `UPDATE … FOR UPDATE SKIP LOCKED`) before running
 *    it, so one recurring document runs in one process at a time; the lock is touched every
 *    lifetime/3 while the handler runs, so a long run is never considered dead and taken over.
 * 2. Manual, webhook and retry runs are separate one-off documents, which Agenda's lock does not
 *    relate to the recurring one. Every run therefore first takes a run lock keyed by
 *    (integration, job): `pg_try_advisory_lock` on a dedicated connection on PostgreSQL (works
 *    across processes, freed by the server if a process dies); an in-process key set on the
 *    embedded database (single process by design) or when only MongoDB is shared. A run that
 *    finds the lock taken is skipped (scheduled tick) or deferred (one-off), never run beside.
 */
export declare function createScheduler(options: CreateSchedulerOptions): Scheduler;
