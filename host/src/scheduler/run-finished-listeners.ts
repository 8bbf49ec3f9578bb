import type { RunFinished } from './types.ts';

export type RunFinishedListener = (outcome: RunFinished) => void | Promise<void>;

/**
 * The scheduler's run outcomes, passed on to whoever subscribed: the scheduler is built first with
 * `notify` as its `onRunFinished`, and what is built on the scheduler (the sync engine's failure
 * policy and run history) subscribes — no forward reference between the two. A listener's error
 * reaches the scheduler, which logs it as it would a single callback's (run-job.ts).
 */
export function createRunFinishedListeners(): {
  notify: RunFinishedListener;
  onRunFinished(listener: RunFinishedListener): void;
} {
  const listeners: RunFinishedListener[] = [];
  return {
    async notify(outcome) {
      for (const listener of listeners) await listener(outcome);
    },
    onRunFinished(listener) {
      listeners.push(listener);
    },
  };
}
