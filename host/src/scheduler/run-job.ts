import type { Agenda, Job } from 'agenda';
import { retryWhileUnreachable } from '../db/connection-errors.ts';
import { retryDelayMs } from './backoff.ts';
import { isRetryable, JobTimeoutError, toError } from '../errors.ts';
import { isJobData, runKey, type JobData } from './job-data.ts';
import { cancelPendingRetries, isStillScheduled, pendingRetryExists } from './job-queries.ts';
import type { HeldRunLock, RunLock } from './run-lock.ts';
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
  /** Multiplies every retry delay (tests shorten the manifests' backoff; 1 in production). */
  retryDelayScale: number;
  onRunFinished: ((outcome: RunFinished) => void | Promise<void>) | undefined;
  /** Aborted when `stop()` stops waiting for running handlers. */
  shutdown: AbortSignal;
  /** Running handlers' controllers by integration, so unscheduling can abort them. */
  active: Map<string, Set<AbortController>>;
}

/**
 * Runs one Agenda job document: takes the (integration, job) run lock, runs the handler with a
 * signal and a kept-alive Agenda lock, then reports the outcome and queues a retry if due.
 * Errors never escape to Agenda: outcomes go through `onRunFinished` (the sync engine's run
 * history), and retries are our own one-off documents (see `queueRetry`), so Agenda's own
 * fail/backoff bookkeeping on the recurring document stays out of the way.
 */
export async function executeRun(job: Job<JobData>, deps: RunDeps): Promise<void> {
  const data = job.attrs.data;
  if (!isJobData(data)) {
    deps.logger.error(
      { agendaJobId: String(job.attrs._id), kind: deps.kind },
      'Job document without valid data; skipped',
    );
    return;
  }
  let lock: HeldRunLock | undefined;
  try {
    lock = await deps.runLock.tryAcquire(runKey(data));
  } catch (error) {
    // Without the lock we cannot know the job is free: treat it as busy (try again later).
    deps.logger.error({ err: toError(error), jobId: data.jobId }, 'Could not take the run lock');
  }
  if (!lock) {
    handleBusy(job, data, deps);
    return;
  }
  try {
    await runLocked(job, data, lock, deps);
    // A finished one-off run (manual, webhook, retry) leaves no row behind. Deleted here, under
    // the run lock, rather than by Agenda's removeOnComplete, which runs after its 'complete'
    // event, out of reach of a drain. Agenda's final state save then finds no row and skips it.
    if (data.trigger !== 'schedule' && job.attrs._id) await deps.agenda.cancel({ id: job.attrs._id });
  } finally {
    await lock.release();
  }
}

/**
 * Another run of this (integration, job) holds the run lock, in this process or another one.
 * A scheduled tick is dropped: the run in progress is this period's sync, and the next tick
 * follows the interval. A manual, webhook or retry run is queued after it: the one-off document
 * is given a new `nextRunAt`, which Agenda saves when this attempt returns.
 */
function handleBusy(job: Job<JobData>, data: JobData, deps: RunDeps): void {
  const fields = { integrationId: data.integrationId, jobId: data.jobId, trigger: data.trigger };
  if (data.trigger === 'schedule') {
    deps.logger.info(fields, 'Scheduled run skipped: the previous run of this job is still running');
    return;
  }
  job.attrs.nextRunAt = new Date(Date.now() + deps.deferMs);
  deps.logger.debug(fields, 'Run deferred: another run of this job is in progress');
}

async function runLocked(job: Job<JobData>, data: JobData, lock: HeldRunLock, deps: RunDeps): Promise<void> {
  const controller = new AbortController();
  const abort = (reason: unknown) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onShutdown = () => abort(new Error('The scheduler is shutting down.'));
  const onLockLost = () => abort(lock.lost.reason);
  deps.shutdown.addEventListener('abort', onShutdown);
  lock.lost.addEventListener('abort', onLockLost);
  if (deps.shutdown.aborted) onShutdown();
  const mine = deps.active.get(data.integrationId) ?? new Set<AbortController>();
  deps.active.set(data.integrationId, mine.add(controller));

  let timedOut: JobTimeoutError | undefined;
  const timer =
    data.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = new JobTimeoutError(data.jobId, data.timeoutMs ?? 0);
          abort(timedOut);
        }, data.timeoutMs);

  const touch = async () => {
    await job.touch();
  };
  // Keep Agenda's lock fresh so no process takes over a long run (lock lifetime expiry).
  const keepAlive = setInterval(
    () => {
      touch().catch((error: unknown) =>
        deps.logger.warn({ err: toError(error), jobId: data.jobId }, 'Could not extend the job lock'),
      );
    },
    Math.max(100, Math.floor(deps.lockLifetimeMs / 3)),
  );

  const started = Date.now();
  let error: Error | undefined;
  try {
    await deps.handler({
      integrationId: data.integrationId,
      jobId: data.jobId,
      trigger: data.trigger,
      attempt: data.attempt,
      signal: controller.signal,
      touch,
    });
    // A handler that resolves after its timeout fired did not finish its work in time.
    if (timedOut) error = timedOut;
  } catch (caught) {
    error = timedOut ?? toError(caught);
  } finally {
    clearTimeout(timer);
    clearInterval(keepAlive);
    deps.shutdown.removeEventListener('abort', onShutdown);
    lock.lost.removeEventListener('abort', onLockLost);
    mine.delete(controller);
    if (mine.size === 0 && deps.active.get(data.integrationId) === mine)
      deps.active.delete(data.integrationId);
  }

  // Still under the run lock: no other run of this job can race these bookkeeping steps. A run
  // cut short by a database restart (its run lock's session died with it) is retried like any
  // failure, so these steps wait for the database to be back rather than dropping the retry: the
  // work resumes by itself within the manifest's backoff instead of at the next tick. Each step
  // is idempotent (a pending retry is found, not added twice).
  let willRetry = false;
  let retryAt: Date | undefined;
  try {
    await retryWhileUnreachable(
      async () => {
        if (error) ({ willRetry, retryAt } = await queueRetry(data, error, deps));
        else await cancelPendingRetries(deps.agenda, deps.kind, data);
        if (data.trigger === 'schedule') await adoptRescheduledInterval(job, deps.agenda);
      },
      { deadlineMs: deps.lockLifetimeMs / 2, signal: deps.shutdown },
    );
  } catch (bookkeeping) {
    deps.logger.error({ err: toError(bookkeeping), jobId: data.jobId }, 'Job bookkeeping failed after a run');
  }

  const outcome: RunFinished = {
    integrationId: data.integrationId,
    jobId: data.jobId,
    trigger: data.trigger,
    attempt: data.attempt,
    ok: !error,
    error,
    willRetry,
    retryAt,
    durationMs: Date.now() - started,
  };
  const fields = { ...outcome, error: error?.message };
  if (error) deps.logger.warn(fields, 'Job run failed');
  else deps.logger.info(fields, 'Job run finished');
  // A run whose run lock died with its database session (a restart) no longer owns its job: a new
  // run may have started meanwhile, and reporting now would close *that* run's record. The next run
  // closes this one's record as interrupted instead; the retry above carries the work on.
  if (lock.lost.aborted) {
    deps.logger.warn(fields, 'Run ended after losing its run lock; its record is closed by the next run');
    return;
  }
  try {
    await deps.onRunFinished?.(outcome);
  } catch (callbackError) {
    deps.logger.error({ err: toError(callbackError), jobId: data.jobId }, 'onRunFinished failed');
  }
}

/**
 * Queues the next attempt of a failed run as its own one-off document, so retries follow the
 * manifest's policy independently of the recurring schedule (a retry neither moves nor waits for
 * the next tick). One retry chain per (integration, job): a failure while a retry is already
 * pending (e.g. a tick failing between retries) leaves that retry to carry the chain.
 */
async function queueRetry(
  data: JobData,
  error: Error,
  deps: RunDeps,
): Promise<{ willRetry: boolean; retryAt?: Date }> {
  if (!isRetryable(error)) return { willRetry: false };
  const delay = retryDelayMs(data.retry, data.attempt, deps.random);
  if (delay === undefined) return { willRetry: false };
  // A job unscheduled while it ran (integration disabled or deleted) gets no retry.
  if (!(await isStillScheduled(deps.agenda, deps.kind, data))) return { willRetry: false };
  if (await pendingRetryExists(deps.agenda, deps.kind, data)) return { willRetry: true };
  const next: JobData = { ...data, trigger: 'retry', attempt: data.attempt + 1 };
  const retryAt = new Date(Date.now() + delay * deps.retryDelayScale);
  await deps.agenda.create(deps.kind, next).schedule(retryAt).save();
  return { willRetry: true, retryAt };
}

/**
 * Agenda saves the in-memory `repeatInterval`-derived `nextRunAt` when a run ends, which would
 * undo a reschedule made while the job was running. Re-read the interval and recompute from it.
 */
async function adoptRescheduledInterval(job: Job<JobData>, agenda: Agenda): Promise<void> {
  if (!job.attrs._id) return;
  const fresh = await agenda.db.getJobById(job.attrs._id.toString());
  if (!fresh?.repeatInterval || String(fresh.repeatInterval) === String(job.attrs.repeatInterval)) return;
  job.attrs.repeatInterval = fresh.repeatInterval;
  // Our intervals are milliseconds (schedule-jobs.ts): the next run counts from this run's start.
  const lastRunAt = job.attrs.lastRunAt ?? new Date();
  job.attrs.nextRunAt = new Date(new Date(lastRunAt).getTime() + Number(fresh.repeatInterval));
}
