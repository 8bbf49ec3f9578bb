import type { Agenda } from 'agenda';
import { connectAgenda } from './agenda-connect.ts';
import { defineOnAgenda } from './agenda-define.ts';
import { NonRetryableError } from '../errors.ts';
import { DEFAULT_KIND } from './job-data.ts';
import { createSchedulerState, type SchedulerState } from './scheduler-state.ts';
import { stopScheduler } from './scheduler-stop.ts';
import { queueOnDemandRun, upsertIntegrationJobs } from './schedule-jobs.ts';
import type { CreateSchedulerOptions, Scheduler, StopOptions } from './types.ts';

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
  const state = createSchedulerState(options);
  const { logger } = options;
  const agendaReady = () => (state.agendaPromise ??= connectAgenda(state));

  return {
    backend: state.selected.kind,

    define(kind, handler, defineOptions = {}) {
      if (state.handlers.has(kind)) throw new Error(`Job kind '${kind}' is already defined.`);
      state.handlers.set(kind, { handler, options: defineOptions });
      // Defined after connecting: register on the live Agenda too.
      void state.agendaPromise?.then((agenda) =>
        defineOnAgenda(state, { agenda, kind, handler, defineOptions }),
      );
    },

    async scheduleIntegrationJobs({ integrationId, jobs, kind = DEFAULT_KIND }) {
      for (const spec of jobs) {
        if (!(spec.intervalMs > 0)) throw new Error(`Job '${spec.jobId}' needs a positive interval.`);
      }
      const scale = options.intervalScale ?? 1;
      await upsertIntegrationJobs({
        agenda: await agendaReady(),
        kind,
        integrationId,
        jobs:
          scale === 1
            ? jobs
            : jobs.map((spec) => ({
                ...spec,
                intervalMs: Math.max(1000, Math.round(spec.intervalMs * scale)),
              })),
        logger,
        patch: state.patchRecurring,
      });
    },

    async unscheduleIntegration(integrationId) {
      return unscheduleIntegration(state, { agenda: await agendaReady(), integrationId });
    },

    async runNow({ kind = DEFAULT_KIND, ...input }) {
      return queueOnDemandRun({ ...input, kind, agenda: await agendaReady() });
    },

    async start() {
      if (state.stopped) throw new Error('This scheduler was stopped; create a new one.');
      if (state.started) return;
      state.started = true;
      await (await agendaReady()).start();
      logger.info(
        {
          backend: state.selected.kind,
          processName: options.processName,
          pollIntervalMs: state.pollIntervalMs,
        },
        'Scheduler started',
      );
    },

    async stop({ drainTimeoutMs = 30_000 }: StopOptions = {}) {
      await stopScheduler(state, drainTimeoutMs);
    },
  };
}

async function unscheduleIntegration(
  state: SchedulerState,
  input: { agenda: Agenda; integrationId: string },
): Promise<number> {
  const { integrationId } = input;
  // Every kind and trigger: the recurring documents and any queued one-off runs.
  const removed = await input.agenda.cancel({ data: { integrationId } });
  // Runs of it in this process stop now (other processes' runs end on their own and get no
  // retry: the retry step checks that the job is still scheduled).
  for (const controller of state.active.get(integrationId) ?? []) {
    controller.abort(new NonRetryableError('The integration was unscheduled (disabled or deleted).'));
  }
  state.options.logger.info({ integrationId, removed }, 'Integration jobs unscheduled');
  return removed;
}
