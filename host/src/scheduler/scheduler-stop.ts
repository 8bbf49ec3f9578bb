import type { Agenda } from 'agenda';
import type { SchedulerState } from './scheduler-state.ts';

/** After the drain timeout, how long aborted handlers get to wind down before stop() returns. */
const ABORT_GRACE_MS = 5000;
const SETTLE_MS = 200;

/** Stops polling, lets running handlers finish (aborting them after the timeout), then closes. */
export async function stopScheduler(state: SchedulerState, drainTimeoutMs: number): Promise<void> {
  if (state.stopped) return;
  state.stopped = true;
  const agenda = state.agendaPromise ? await state.agendaPromise.catch(() => undefined) : undefined;
  if (agenda) await drainAgenda(state, { agenda, drainTimeoutMs });
  state.closed.abort();
  await state.runLock.close();
  state.options.logger.info({ processName: state.options.processName }, 'Scheduler stopped');
}

async function drainAgenda(
  state: SchedulerState,
  input: { agenda: Agenda; drainTimeoutMs: number },
): Promise<void> {
  const { logger } = state.options;
  // Stop polling and release the documents locked here but not yet running; running
  // handlers continue (Agenda.stop does not wait for them), and we wait below.
  await input.agenda.stop(false);
  await state
    .releaseBatched()
    .catch((error: unknown) =>
      logger.warn({ err: error }, 'Could not unlock jobs locked ahead for a queue fill'),
    );
  const drained = await waitForRuns(state, input.drainTimeoutMs);
  if (!drained) {
    logger.warn({ running: state.running.size }, 'Drain timeout: aborting running jobs');
    state.shutdown.abort();
    if (!(await waitForRuns(state, ABORT_GRACE_MS))) {
      logger.error({ running: state.running.size }, 'Jobs ignored their abort signal; stopping without them');
    }
  }
  // Agenda may still be finishing a queue fill or a state save begun before stop(); let it
  // land before the caller closes the database pool under it.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

/** True when every run started here completed within the timeout. */
async function waitForRuns(state: SchedulerState, timeoutMs: number): Promise<boolean> {
  const all = Promise.all([...state.running.values()].map((run) => run.done)).then(() => true);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([all, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
