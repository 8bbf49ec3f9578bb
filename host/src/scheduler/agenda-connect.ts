import { Agenda, type AgendaBackend, type Job, type JobRepository } from 'agenda';
import { isConnectionError } from '../db/connection-errors.ts';
import { defineOnAgenda } from './agenda-define.ts';
import { AGENDA_TABLE } from './backend.ts';
import { batchedLocking } from './batch-lock.ts';
import { resilientRepository } from './resilient-repository.ts';
import type { SchedulerState } from './scheduler-state.ts';
import { withSchemaLock } from './schema-lock.ts';

/** Embedded databases whose stale locks were already released by a scheduler of this process. */
const recoveredEmbedded = new WeakSet<object>();

/** Connects the backend ourselves, so a connection error reaches the caller instead of being an
 * unhandled rejection inside Agenda's constructor. */
export async function connectAgenda(state: SchedulerState): Promise<Agenda> {
  await prepareBackend(state);
  const { backend } = state.selected;
  const connected: AgendaBackend = {
    name: backend.name,
    repository: wrapRepository(state),
    notificationChannel: undefined,
    logger: backend.logger,
    ownsConnection: backend.ownsConnection,
    connect: () => Promise.resolve(),
    disconnect: () => backend.disconnect(),
  };
  const agenda = new Agenda({
    backend: connected,
    name: state.options.processName,
    processEvery: state.pollIntervalMs,
    defaultLockLifetime: state.lockLifetimeMs,
    // One-off documents are deleted by the run itself (run-job.ts).
    removeOnComplete: false,
    ...(state.selected.notificationChannel
      ? { notificationChannel: state.selected.notificationChannel }
      : {}),
  });
  // Without a listener an 'error' event would throw and take the process down.
  agenda.on('error', (error: Error) => onAgendaError(state, error));
  agenda.on('complete', (job: Job | { jobId?: string }) => {
    if ('attrs' in job) state.running.get(String(job.attrs._id))?.complete();
  });
  for (const [kind, entry] of state.handlers) {
    defineOnAgenda(state, { agenda, kind, handler: entry.handler, defineOptions: entry.options });
  }
  await agenda.ready;
  return agenda;
}

/** Connects the backend and readies its table, under the schema lock on a shared PostgreSQL. */
async function prepareBackend(state: SchedulerState): Promise<void> {
  const { selected } = state;
  const { db } = state.options;
  const prepare = async () => {
    await selected.backend.connect();
    if (selected.kind !== 'mongo') await ensureIndexes(state);
    if (selected.kind === 'embedded') await releaseStaleEmbeddedLocks(state);
  };
  if (selected.kind === 'postgres' && db.url) await withSchemaLock(db.url, prepare);
  else await prepare();
}

/**
 * Agenda's repository with its lock-ending writes retried through an outage, and on SQL
 * backends due documents locked in batches.
 */
function wrapRepository(state: SchedulerState): JobRepository {
  const { logger, db } = state.options;
  const resilient = resilientRepository(state.selected.backend.repository, {
    lockLifetimeMs: state.lockLifetimeMs,
    stopped: state.closed.signal,
    onReachable: () => {
      if (state.unreachableSince === undefined) return;
      logger.info({ downForMs: Date.now() - state.unreachableSince }, 'Scheduler reached the database again');
      state.unreachableSince = undefined;
    },
  });
  if (state.selected.kind === 'mongo') return resilient;
  const batched = batchedLocking(resilient, {
    pool: db.pool,
    tableName: AGENDA_TABLE,
    batch: state.options.lockBatch,
  });
  state.releaseBatched = () => batched.release();
  return batched;
}

/** While the database is down every poll fails: say so once, then wait for it (polling is the retry). */
function onAgendaError(state: SchedulerState, error: Error): void {
  const { logger } = state.options;
  // Agenda's liveness check races the end of a run: Job.run clears lockedAt before it saves the
  // final state, and a check waking in that window (a slow save: a loaded or restarting
  // database) "cancels" a run that has already finished. Nothing is lost; not an error.
  // A queue fill begun before stop() may finish after the caller closed the pools: stopped.
  if (state.stopped) return logger.debug({ err: error }, 'Scheduler: Agenda error after stop');
  if (/no lockedAt date found/.test(error.message))
    return logger.debug({ err: error }, 'Scheduler: liveness check raced the end of a run');
  if (!isConnectionError(error)) return logger.error({ err: error }, 'Scheduler (Agenda) error');
  if (state.unreachableSince !== undefined)
    return logger.debug({ err: error }, 'Scheduler: database still unreachable');
  state.unreachableSince = Date.now();
  logger.warn({ err: error }, 'Scheduler cannot reach the database; polling until it is back');
}

/**
 * The unique index closes the race in Agenda's check-then-insert `unique()` when two processes
 * schedule at once. The GIN index serves every `data @>` lookup (a run's retry bookkeeping, an
 * upsert's existing documents, unscheduling): without it each was a scan of the whole table, the
 * main per-run cost with 10 000 integrations (issue 20).
 */
async function ensureIndexes(state: SchedulerState): Promise<void> {
  const { pool } = state.options.db;
  await pool.query(
    `create unique index if not exists ${AGENDA_TABLE}_mch_recurring_uq on ${AGENDA_TABLE} ` +
      `(name, (data->>'integrationId'), (data->>'jobId')) where data->>'trigger' = 'schedule'`,
  );
  await pool.query(
    `create index if not exists ${AGENDA_TABLE}_mch_data_idx on ${AGENDA_TABLE} using gin (data jsonb_path_ops) with (fastupdate = off)`,
  );
}

/**
 * The embedded database belongs to this one process, so a lock found when its first scheduler
 * connects was left by a crash: release it now rather than after the lock lifetime (10 min
 * without syncs). Never on a shared server, where other processes' locks are live.
 */
async function releaseStaleEmbeddedLocks(state: SchedulerState): Promise<void> {
  const { db, logger } = state.options;
  if (recoveredEmbedded.has(db.pool)) return;
  recoveredEmbedded.add(db.pool);
  const { rowCount } = await db.pool.query(
    `update ${AGENDA_TABLE} set locked_at = null where locked_at is not null`,
  );
  if (rowCount > 0) logger.warn({ released: rowCount }, 'Released job locks left by a previous crash');
}
