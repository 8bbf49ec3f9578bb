import type { Agenda, Job } from 'agenda';
import { type JobData } from './job-data.ts';
import type { RunLock } from './run-lock.ts';
import type { JobHandler, RunFinished, SchedulerLogger } from './types.ts';
export interface RunDeps {
    agenda: Agenda;
    kind: string;
    handler: JobHandler;
    runLock: RunLock;
    logger: SchedulerLogger;
    lockLifetimeMs: number;
    /** How long a manual/webhook/retry run waits before trying again when its job is busy. */
    deferMs: number;
    random: () => number;
    onRunFinished: ((outcome: RunFinished) => void | Promise<void>) | undefined;
    /** Aborted when `stop()` stops waiting for running handlers. */
    shutdown: AbortSignal;
}
/**
 * Runs one Agenda job document: takes the (integration, job) run lock, runs the handler with a
 * signal and a kept-alive Agenda lock, then reports the outcome and queues a retry if due.
 * Errors never escape to Agenda: outcomes go through `onRunFinished` (the sync engine's run
 * history), and retries are our own one-off documents (see `queueRetry`), so Agenda's own
 * fail/backoff bookkeeping on the recurring document stays out of the way.
 */
export declare function executeRun(job: Job<JobData>, deps: RunDeps): Promise<void>;
