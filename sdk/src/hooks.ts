import type { PluginContext } from './context.ts';

/** A hook: named code the manifest binds to a job, webhook or auth step. */
export type Hook<Input = unknown, Output = unknown, Settings = Record<string, unknown>> = (
  ctx: PluginContext<Settings>,
  input: Input,
) => Promise<Output> | Output;

/** Input of a hook bound to a manifest job. */
export interface JobInput {
  jobId: string;
  runId: string;
  /** `follow_up`: the host started it itself after another run (e.g. to upload what that run issued). */
  trigger: 'schedule' | 'manual' | 'webhook' | 'retry' | 'follow_up';
  attempt: number;
  /** Webhook-triggered runs: what to pull (e.g. the new order's id). */
  hint?: Record<string, unknown>;
}

export interface JobOutput {
  /** Counts shown on the sync run (e.g. { orders: 12, invoices: 10 }). */
  counts?: Record<string, number>;
  /**
   * Records this run saw but did not hand to `ctx.records`, by why in a few words (e.g.
   * { 'not paid yet': 40 }): the run's skipped count includes them, so what it created, updated,
   * left unchanged and skipped adds up to what it saw (issue 13). Count each record once.
   */
  skipped?: Record<string, number>;
  /** Jobs of the same integration to run next (e.g. upload what this run imported). */
  trigger?: { jobId: string }[];
}

/** Input of a hook bound to `webhooks[]`. */
export interface WebhookInput {
  method: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
}

export interface WebhookOutput {
  status?: number;
  body?: unknown;
  /** Jobs to run now for this integration, e.g. pull the new order. */
  trigger?: { jobId: string; hint?: Record<string, unknown> }[];
}

/** Output of `auth.accountHook`: who the connected marketplace account is. */
export interface AccountOutput {
  id: string;
  label?: string;
}

/**
 * Output of `auth.testHook`. The host runs it when an account is connected and when its secret
 * settings change: `ok: false` refuses the connection (nothing is kept) unless `retryable` says the
 * answer was "not now" rather than "no" (the service busy or unreachable) — then the settings are
 * kept and the person is told they could not be checked yet.
 */
export interface TestConnectionOutput {
  ok: boolean;
  /** One sentence for the person connecting: what happened and what to do. */
  message?: string;
  /** `ok: false` because of the service, not the settings: keep them and try later. */
  retryable?: boolean;
  details?: Record<string, unknown>;
}

/**
 * What a pull job's part hook is given for each answer (manifest `pull.records: { hook }` and
 * `pull.pagination: { type: "hook", hook }`): the rest of the pull stays declarative.
 */
export interface PullPageInput {
  /** The answer's body, parsed as JSON. */
  body: unknown;
  /** Response headers, names in lower case. */
  headers: Record<string, string>;
  /** 1 for the first page. */
  page: number;
  /** The URL the answer came from. */
  url: string;
  /** Records picked from this answer (pagination hooks only). */
  records?: number;
}

/** What a pull's pagination hook returns: the next request, or null after the last page. */
export type PullNextPage = { query: Record<string, string> } | { url: string } | null;
