import type { Agenda } from 'agenda';
import { recurringPatcher, selectBackend, type RecurringChange, type SelectedBackend } from './backend.ts';
import { createAdvisoryRunLock, createInProcessRunLock, type RunLock } from './run-lock.ts';
import type { CreateSchedulerOptions, DefineOptions, JobHandler } from './types.ts';

const DEFAULT_POLL_MS = 5000;
const DEFAULT_LOCK_LIFETIME_MS = 10 * 60_000;
export const DEFAULT_KIND_CONCURRENCY = 10;

/** A run started here, until Agenda's `complete` event for it. */
export interface RunningEntry {
  done: Promise<void>;
  complete: () => void;
}

/**
 * What one scheduler's steps (connect, define, stop…) share: its settings with defaults applied,
 * its backend and run lock, and the few values that change over its life.
 */
export interface SchedulerState {
  readonly options: CreateSchedulerOptions;
  readonly pollIntervalMs: number;
  readonly lockLifetimeMs: number;
  readonly random: () => number;
  readonly selected: SelectedBackend;
  readonly patchRecurring: (change: RecurringChange) => Promise<void>;
  readonly handlers: Map<string, { handler: JobHandler; options: DefineOptions }>;
  readonly shutdown: AbortController;
  /** Aborted when stop() is done: outage retries of Agenda's lock writes give up. */
  readonly closed: AbortController;
  /**
   * Runs started here, by Agenda job id, until Agenda's `complete` event: that comes after
   * Agenda has saved the run's end and unlocked the document, which is what a drain waits for.
   */
  readonly running: Map<string, RunningEntry>;
  readonly active: Map<string, Set<AbortController>>;
  readonly runLock: RunLock;
  /** Kinds already defined on the live Agenda (see defineOnAgenda). */
  readonly definedOnAgenda: Set<string>;
  /** Since when Agenda's statements fail for want of a database (logged once per outage). */
  unreachableSince: number | undefined;
  agendaPromise: Promise<Agenda> | undefined;
  /** Unlocks documents a batch locked for a queue fill that stop() interrupted (batch-lock.ts). */
  releaseBatched: () => Promise<void>;
  started: boolean;
  stopped: boolean;
}

export function createSchedulerState(options: CreateSchedulerOptions): SchedulerState {
  const { db, logger } = options;
  const selected = selectBackend({ db, mongodbUrl: options.mongodbUrl, listener: logger });
  const patchRecurring = recurringPatcher(selected, db);
  return {
    options,
    pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_MS,
    lockLifetimeMs: options.defaultLockLifetimeMs ?? DEFAULT_LOCK_LIFETIME_MS,
    random: options.random ?? Math.random,
    selected,
    patchRecurring,
    handlers: new Map(),
    shutdown: new AbortController(),
    closed: new AbortController(),
    running: new Map(),
    active: new Map(),
    runLock:
      db.kind === 'postgres' && db.url
        ? createAdvisoryRunLock({ url: db.url, max: DEFAULT_KIND_CONCURRENCY * 2, listener: logger })
        : createInProcessRunLock(db.pool),
    definedOnAgenda: new Set(),
    unreachableSince: undefined,
    agendaPromise: undefined,
    releaseBatched: () => Promise.resolve(),
    started: false,
    stopped: false,
  };
}
