import { Agenda, type AgendaBackend, type Job } from 'agenda';
import { isConnectionError } from '../db/connection-errors.ts';
import { AGENDA_TABLE, recurringPatcher, selectBackend } from './backend.ts';
import { batchedLocking } from './batch-lock.ts';
import { NonRetryableError } from './errors.ts';
import { DEFAULT_KIND, type JobData } from './job-data.ts';
import { createAdvisoryRunLock, createInProcessRunLock, type RunLock } from './run-lock.ts';
import { resilientRepository } from './resilient-repository.ts';
import { executeRun } from './run-job.ts';
import { withSchemaLock } from './schema-lock.ts';
import { queueOnDemandRun, upsertIntegrationJobs } from './schedule-jobs.ts';
import type { CreateSchedulerOptions, DefineOptions, JobHandler, Scheduler, StopOptions } from './types.ts';

const DEFAULT_POLL_MS = 5000;
const DEFAULT_LOCK_LIFETIME_MS = 10 * 60_000;
const DEFAULT_KIND_CONCURRENCY = 10;
/** After the drain timeout, how long aborted handlers get to wind down before stop() returns. */
const ABORT_GRACE_MS = 5000;
const SETTLE_MS = 200;
/** Embedded databases whose stale locks were already released by a scheduler of this process. */
const recoveredEmbedded = new WeakSet<object>();

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
export function createScheduler(options: CreateSchedulerOptions): Scheduler {
  const { db, logger } = options;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_MS;
  const lockLifetimeMs = options.defaultLockLifetimeMs ?? DEFAULT_LOCK_LIFETIME_MS;
  const random = options.random ?? Math.random;
  const selected = selectBackend({ db, mongodbUrl: options.mongodbUrl, listener: logger });
  const patchRecurring = recurringPatcher(selected, db);
  const handlers = new Map<string, { handler: JobHandler; options: DefineOptions }>();
  const shutdown = new AbortController();
  /** Aborted when stop() is done: outage retries of Agenda's lock writes give up. */
  const closed = new AbortController();
  /** Since when Agenda's statements fail for want of a database (logged once per outage). */
  let unreachableSince: number | undefined;
  /**
   * Runs started here, by Agenda job id, until Agenda's `complete` event: that comes after
   * Agenda has saved the run's end and unlocked the document, which is what a drain waits for.
   */
  const running = new Map<string, { done: Promise<void>; complete: () => void }>();
  const active = new Map<string, Set<AbortController>>();
  const runLock: RunLock =
    db.kind === 'postgres' && db.url
      ? createAdvisoryRunLock({ url: db.url, max: DEFAULT_KIND_CONCURRENCY * 2, listener: logger })
      : createInProcessRunLock(db.pool);

  let agendaPromise: Promise<Agenda> | undefined;
  /** Unlocks documents a batch locked for a queue fill that stop() interrupted (batch-lock.ts). */
  let releaseBatched: () => Promise<void> = () => Promise.resolve();
  let started = false;
  let stopped = false;

  /** Connects the backend ourselves, so a connection error reaches the caller instead of being an
   * unhandled rejection inside Agenda's constructor. */
  async function connect(): Promise<Agenda> {
    const backend = selected.backend;
    const prepare = async () => {
      await backend.connect();
      if (selected.kind !== 'mongo') await ensureIndexes();
      if (selected.kind === 'embedded') await releaseStaleEmbeddedLocks();
    };
    if (selected.kind === 'postgres' && db.url) await withSchemaLock(db.url, prepare);
    else await prepare();
    const resilient = resilientRepository(backend.repository, {
      lockLifetimeMs,
      stopped: closed.signal,
      onReachable: () => {
        if (unreachableSince === undefined) return;
        logger.info({ downForMs: Date.now() - unreachableSince }, 'Scheduler reached the database again');
        unreachableSince = undefined;
      },
    });
    let repository = resilient;
    if (selected.kind !== 'mongo') {
      const batched = batchedLocking(resilient, {
        pool: db.pool,
        tableName: AGENDA_TABLE,
        batch: options.lockBatch,
      });
      releaseBatched = () => batched.release();
      repository = batched;
    }
    const connected: AgendaBackend = {
      name: backend.name,
      repository,
      notificationChannel: undefined,
      logger: backend.logger,
      ownsConnection: backend.ownsConnection,
      connect: () => Promise.resolve(),
      disconnect: () => backend.disconnect(),
    };
    const agenda = new Agenda({
      backend: connected,
      name: options.processName,
      processEvery: pollIntervalMs,
      defaultLockLifetime: lockLifetimeMs,
      // One-off documents are deleted by the run itself (run-job.ts).
      removeOnComplete: false,
      ...(selected.notificationChannel ? { notificationChannel: selected.notificationChannel } : {}),
    });
    // Without a listener an 'error' event would throw and take the process down. While the
    // database is down every poll fails: say so once, then wait for it (polling is the retry).
    agenda.on('error', (error: Error) => {
      // Agenda's liveness check races the end of a run: Job.run clears lockedAt before it saves the
      // final state, and a check waking in that window (a slow save: a loaded or restarting
      // database) "cancels" a run that has already finished. Nothing is lost; not an error.
      // A queue fill begun before stop() may finish after the caller closed the pools: stopped.
      if (stopped) return logger.debug({ err: error }, 'Scheduler: Agenda error after stop');
      if (/no lockedAt date found/.test(error.message))
        return logger.debug({ err: error }, 'Scheduler: liveness check raced the end of a run');
      if (!isConnectionError(error)) return logger.error({ err: error }, 'Scheduler (Agenda) error');
      if (unreachableSince !== undefined)
        return logger.debug({ err: error }, 'Scheduler: database still unreachable');
      unreachableSince = Date.now();
      logger.warn({ err: error }, 'Scheduler cannot reach the database; polling until it is back');
    });
    agenda.on('complete', (job: Job | { jobId?: string }) => {
      if ('attrs' in job) running.get(String(job.attrs._id))?.complete();
    });
    for (const [kind, entry] of handlers) defineOnAgenda(agenda, kind, entry.handler, entry.options);
    await agenda.ready;
    return agenda;
  }

  /**
   * The unique index closes the race in Agenda's check-then-insert `unique()` when two processes
   * schedule at once. The GIN index serves every `data @>` lookup (a run's retry bookkeeping, an
   * upsert's existing documents, unscheduling): without it each was a scan of the whole table, the
   * main per-run cost with 10 000 integrations (issue 20).
   */
  async function ensureIndexes(): Promise<void> {
    await db.pool.query(
      `create unique index if not exists ${AGENDA_TABLE}_mch_recurring_uq on ${AGENDA_TABLE} ` +
        `(name, (data->>'integrationId'), (data->>'jobId')) where data->>'trigger' = 'schedule'`,
    );
    await db.pool.query(
      `create index if not exists ${AGENDA_TABLE}_mch_data_idx on ${AGENDA_TABLE} using gin (data jsonb_path_ops) with (fastupdate = off)`,
    );
  }

  /**
   * The embedded database belongs to this one process, so a lock found when its first scheduler
   * connects was left by a crash: release it now rather than after the lock lifetime (10 min
   * without syncs). Never on a shared server, where other processes' locks are live.
   */
  async function releaseStaleEmbeddedLocks(): Promise<void> {
    if (recoveredEmbedded.has(db.pool)) return;
    recoveredEmbedded.add(db.pool);
    const { rowCount } = await db.pool.query(
      `update ${AGENDA_TABLE} set locked_at = null where locked_at is not null`,
    );
    if (rowCount > 0) logger.warn({ released: rowCount }, 'Released job locks left by a previous crash');
  }

  const agendaReady = () => (agendaPromise ??= connect());

  const definedOnAgenda = new Set<string>();

  function defineOnAgenda(agenda: Agenda, kind: string, handler: JobHandler, defineOptions: DefineOptions) {
    // `define()` during connect() may reach here twice (connect's loop and define's own hook).
    if (definedOnAgenda.has(kind)) return;
    definedOnAgenda.add(kind);
    const kindLockLifetime = defineOptions.lockLifetimeMs ?? lockLifetimeMs;
    agenda.define<JobData>(
      kind,
      async (job: Job<JobData>) => {
        const id = String(job.attrs._id);
        let complete!: () => void;
        const done = new Promise<void>((resolve) => (complete = resolve));
        running.set(id, { done, complete });
        void done.then(() => running.delete(id));
        await executeRun(job, {
          agenda,
          kind,
          handler,
          runLock,
          logger,
          lockLifetimeMs: kindLockLifetime,
          deferMs: Math.max(250, Math.min(pollIntervalMs, 5000)),
          random,
          onRunFinished: options.onRunFinished,
          shutdown: shutdown.signal,
          active,
        });
      },
      {
        concurrency: defineOptions.concurrency ?? DEFAULT_KIND_CONCURRENCY,
        lockLifetime: kindLockLifetime,
        lockLimit: 0,
      },
    );
  }

  async function waitForRuns(timeoutMs: number): Promise<boolean> {
    const all = Promise.all([...running.values()].map((run) => run.done)).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([all, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    backend: selected.kind,

    define(kind, handler, defineOptions = {}) {
      if (handlers.has(kind)) throw new Error(`Job kind '${kind}' is already defined.`);
      handlers.set(kind, { handler, options: defineOptions });
      // Defined after connecting: register on the live Agenda too.
      void agendaPromise?.then((agenda) => defineOnAgenda(agenda, kind, handler, defineOptions));
    },

    async scheduleIntegrationJobs({ integrationId, jobs, kind = DEFAULT_KIND }) {
      for (const spec of jobs) {
        if (!(spec.intervalMs > 0)) throw new Error(`Job '${spec.jobId}' needs a positive interval.`);
      }
      await upsertIntegrationJobs({
        agenda: await agendaReady(),
        kind,
        integrationId,
        jobs,
        logger,
        patch: patchRecurring,
      });
    },

    async unscheduleIntegration(integrationId) {
      const agenda = await agendaReady();
      // Every kind and trigger: the recurring documents and any queued one-off runs.
      const removed = await agenda.cancel({ data: { integrationId } });
      // Runs of it in this process stop now (other processes' runs end on their own and get no
      // retry: the retry step checks that the job is still scheduled).
      for (const controller of active.get(integrationId) ?? []) {
        controller.abort(new NonRetryableError('The integration was unscheduled (disabled or deleted).'));
      }
      logger.info({ integrationId, removed }, 'Integration jobs unscheduled');
      return removed;
    },

    async runNow({ kind = DEFAULT_KIND, ...input }) {
      return queueOnDemandRun({ ...input, kind, agenda: await agendaReady() });
    },

    async start() {
      if (stopped) throw new Error('This scheduler was stopped; create a new one.');
      if (started) return;
      started = true;
      await (await agendaReady()).start();
      logger.info(
        { backend: selected.kind, processName: options.processName, pollIntervalMs },
        'Scheduler started',
      );
    },

    async stop({ drainTimeoutMs = 30_000 }: StopOptions = {}) {
      if (stopped) return;
      stopped = true;
      const agenda = agendaPromise ? await agendaPromise.catch(() => undefined) : undefined;
      if (agenda) {
        // Stop polling and release the documents locked here but not yet running; running
        // handlers continue (Agenda.stop does not wait for them), and we wait below.
        await agenda.stop(false);
        await releaseBatched().catch((error: unknown) =>
          logger.warn({ err: error }, 'Could not unlock jobs locked ahead for a queue fill'),
        );
        const drained = await waitForRuns(drainTimeoutMs);
        if (!drained) {
          logger.warn({ running: running.size }, 'Drain timeout: aborting running jobs');
          shutdown.abort();
          if (!(await waitForRuns(ABORT_GRACE_MS))) {
            logger.error({ running: running.size }, 'Jobs ignored their abort signal; stopping without them');
          }
        }
        // Agenda may still be finishing a queue fill or a state save begun before stop(); let it
        // land before the caller closes the database pool under it.
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      }
      closed.abort();
      await runLock.close();
      logger.info({ processName: options.processName }, 'Scheduler stopped');
    },
  };
}
