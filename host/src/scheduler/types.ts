import type { Database } from '../db/orm.ts';

/** The slice of a pino logger the scheduler writes to. */
export interface SchedulerLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Why a run started: its schedule, a person ("manual"), a marketplace notice, a retry, or the host
 * itself after another run (`follow_up`, e.g. the upload of what an orders sync just issued).
 */
export type RunTrigger = 'schedule' | 'manual' | 'webhook' | 'retry' | 'follow_up';

/** Manifest `retry`: `attempts` retries after the first failure (SPEC: exponential backoff, up to 6). */
export interface RetryPolicy {
  attempts: number;
  backoff: 'exponential' | 'fixed';
  initialDelayMs: number;
  maxDelayMs: number;
}

/** One recurring job of one integration, as the scheduler stores it. */
export interface IntegrationJobSpec {
  jobId: string;
  intervalMs: number;
  retry: RetryPolicy;
  /** Accepted for the manifest's sake; runs of one (integration, job) are always exclusive. */
  concurrency?: number;
  /** The run's signal is aborted after this long; the run counts as failed (retryable). */
  timeoutMs?: number;
}

export interface RunContext {
  integrationId: string;
  jobId: string;
  trigger: RunTrigger;
  /** 1 for the first run of a chain, 2.. for its retries. */
  attempt: number;
  /** Aborted on shutdown (after the drain timeout) and on `timeoutMs`. */
  signal: AbortSignal;
  /** Extends the job's lock; also done automatically while the handler runs. */
  touch(): Promise<void>;
}

export type JobHandler = (ctx: RunContext) => Promise<void>;

export interface DefineOptions {
  /** Runs of this kind at once in this process (all integrations together). Default 10. */
  concurrency?: number;
  /** Overrides the scheduler's lock lifetime for this kind. */
  lockLifetimeMs?: number;
}

export interface RunFinished {
  integrationId: string;
  jobId: string;
  trigger: RunTrigger;
  attempt: number;
  ok: boolean;
  error: Error | undefined;
  /** A retry has been queued for this failure. */
  willRetry: boolean;
  /** When the queued retry is due (only when this run queued it; a retry already pending has its own). */
  retryAt?: Date | undefined;
  durationMs: number;
}

export interface CreateSchedulerOptions {
  db: Database;
  /** When set, Agenda stores its jobs in MongoDB instead of the SQL database. */
  mongodbUrl?: string | undefined;
  logger: SchedulerLogger;
  /** Names this process in Agenda's `lastModifiedBy` (must differ between processes). */
  processName: string;
  /** How often Agenda polls for due jobs. Default 5 s. */
  pollIntervalMs?: number;
  /** Agenda lock lifetime; a run that is not touched for this long may be taken over. Default 10 min. */
  defaultLockLifetimeMs?: number;
  /** Due jobs locked per statement on SQL backends (batch-lock.ts). Default 25; 1 = Agenda's own one at a time. */
  lockBatch?: number;
  /** Called after every run, for run history, failure counting and auto-disable (sync engine). */
  onRunFinished?: (outcome: RunFinished) => void | Promise<void>;
  /** Random source for backoff jitter (tests). */
  random?: () => number;
  /** Multiplies every retry delay of the manifests' backoff (tests shorten it; default 1). */
  retryDelayScale?: number;
  /** Multiplies every recurring job's interval (tests shorten a plugin's minutes to seconds; default 1). */
  intervalScale?: number;
}

export interface ScheduleIntegrationJobsInput {
  integrationId: string;
  jobs: IntegrationJobSpec[];
  /** The `define`d kind that runs these jobs. Default `plugin-job`. */
  kind?: string;
}

export interface RunNowInput {
  integrationId: string;
  jobId: string;
  trigger: Exclude<RunTrigger, 'schedule' | 'retry'>;
  kind?: string;
}

export interface RunNowResult {
  /** Agenda id of the queued run. */
  runId: string;
  /** True when an already queued run of the same job absorbed this request. */
  joined: boolean;
}

export interface StopOptions {
  /** How long to let running handlers finish before aborting their signals. Default 30 s. */
  drainTimeoutMs?: number;
}

export interface Scheduler {
  readonly backend: 'postgres' | 'embedded' | 'mongo';
  define(kind: string, handler: JobHandler, options?: DefineOptions): void;
  scheduleIntegrationJobs(input: ScheduleIntegrationJobsInput): Promise<void>;
  unscheduleIntegration(integrationId: string): Promise<number>;
  runNow(input: RunNowInput): Promise<RunNowResult>;
  start(): Promise<void>;
  stop(options?: StopOptions): Promise<void>;
}
