import type { Agenda, Job } from 'agenda';
import type { JobData } from './job-data.ts';
import { executeRun } from './run-job.ts';
import { DEFAULT_KIND_CONCURRENCY, type SchedulerState } from './scheduler-state.ts';
import type { DefineOptions, JobHandler } from './types.ts';

/** Registers a job kind's handler on the live Agenda, once per kind. */
export function defineOnAgenda(
  state: SchedulerState,
  input: { agenda: Agenda; kind: string; handler: JobHandler; defineOptions: DefineOptions },
): void {
  const { agenda, kind, handler, defineOptions } = input;
  // `define()` during connect() may reach here twice (connect's loop and define's own hook).
  if (state.definedOnAgenda.has(kind)) return;
  state.definedOnAgenda.add(kind);
  const kindLockLifetime = defineOptions.lockLifetimeMs ?? state.lockLifetimeMs;
  agenda.define<JobData>(
    kind,
    async (job: Job<JobData>) => {
      trackUntilComplete(state, String(job.attrs._id));
      await executeRun(job, {
        agenda,
        kind,
        handler,
        runLock: state.runLock,
        logger: state.options.logger,
        lockLifetimeMs: kindLockLifetime,
        deferMs: Math.max(250, Math.min(state.pollIntervalMs, 5000)),
        random: state.random,
        retryDelayScale: state.options.retryDelayScale ?? 1,
        onRunFinished: state.options.onRunFinished,
        shutdown: state.shutdown.signal,
        active: state.active,
      });
    },
    {
      concurrency: defineOptions.concurrency ?? DEFAULT_KIND_CONCURRENCY,
      lockLifetime: kindLockLifetime,
      lockLimit: 0,
    },
  );
}

/** Counts the run as running until Agenda's `complete` event for it (what stop() drains). */
function trackUntilComplete(state: SchedulerState, id: string): void {
  let complete!: () => void;
  const done = new Promise<void>((resolve) => (complete = resolve));
  state.running.set(id, { done, complete });
  void done.then(() => state.running.delete(id));
}
