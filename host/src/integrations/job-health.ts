/**
 * Health per job (issue 13): each job of an integration keeps its own run of failures, last error
 * and last success (`integration_jobs`); the integration is as healthy as its worst job, and the
 * reason names that job in plain words. Pure: the sync engine writes with it, the API reads with it.
 */

/** What the manifest says of a job that health needs: its name and when it switches the account off. */
export interface JobPolicy {
  jobId: string;
  title: string;
  /** Failed runs in a row (each with its retries) after which the integration is switched off. */
  disableAfter: number;
}

/** One `integration_jobs` row. */
export interface JobState {
  jobId: string;
  title: string;
  consecutiveFailures: number;
  failedRuns: number;
  /** The last attempt failed and a retry is queued. */
  retryPending: boolean;
  lastRunAt: Date | null;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
  lastError: string | null;
}

export type JobHealth = 'healthy' | 'failing' | 'retrying' | 'not_run';

/** The manifest's default (seed "Error Handling": disable after 5 failed runs). */
export const DEFAULT_DISABLE_AFTER = 5;

const times = (n: number) => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`);

export function jobHealth(state: JobState | undefined): JobHealth {
  if (!state?.lastRunAt) return 'not_run';
  if (state.retryPending) return 'retrying';
  return state.consecutiveFailures > 0 ? 'failing' : 'healthy';
}

const isFailing = (state: JobState) => state.consecutiveFailures > 0 || state.retryPending;

/** The job of the integration that is worst off: most failed runs in a row, then the latest failure. */
export function worstJob(states: readonly JobState[]): JobState | undefined {
  return states
    .filter(isFailing)
    .sort(
      (a, b) =>
        b.consecutiveFailures - a.consecutiveFailures ||
        (b.lastFailureAt?.getTime() ?? 0) - (a.lastFailureAt?.getTime() ?? 0),
    )[0];
}

/** One job's state in a sentence a seller can act on. */
export function jobReason(state: JobState | undefined, policy: JobPolicy): string {
  const title = state?.title ?? policy.title;
  switch (jobHealth(state)) {
    case 'not_run':
      return `${title} has not run yet.`;
    case 'healthy':
      return `${title} works.`;
    case 'retrying':
      return state!.consecutiveFailures > 0
        ? `${title} failed ${times(state!.consecutiveFailures)} in a row and its latest run failed too; it is being tried again. After ${policy.disableAfter} failed runs in a row the account is switched off.`
        : `${title} failed and is being tried again.`;
    case 'failing':
      return `${title} failed ${times(state!.consecutiveFailures)} in a row (each time after its retries). It runs again at its next turn; after ${policy.disableAfter} failed runs in a row the account is switched off.`;
  }
}

/**
 * A plugin's "…; will retry" (written while its run was still going to be retried) is not true
 * of a switched-off account, which runs nothing until a person enables it: the promise is dropped.
 */
const RETRY_PROMISE =
  /[\s;,.–-]*\b(?:and |it |this )?(?:will|is going to) (?:be )?retr(?:y|ied)\b[^.;]*[.;]?/gi;

export function withoutRetryPromise(error: string): string {
  // A promise that ended its sentence leaves the full stop: "…refused; it will be retried. Check…".
  const cut = error.replace(RETRY_PROMISE, (promise) => (promise.endsWith('.') ? '.' : '')).trim();
  return cut === '' ? error : /[.!?]$/.test(cut) ? cut : `${cut}.`;
}

/** Why the integration was switched off: the job, how often, and its last error. */
export function disabledReason(input: { title: string; failures: number; error: string }): string {
  return `Switched off because ${input.title} had ${input.failures} consecutive failed syncs. Last error: ${withoutRetryPromise(input.error)}`;
}

/** What the integration's own columns say, derived from its jobs (what lists, alerts and counts read). */
export interface IntegrationDerived {
  failing: boolean;
  consecutiveFailures: number;
  /** The worst job's last error, naming the job; null when every job works. */
  lastError: string | null;
  /** When the worst job last worked; with every job working, the latest success of any. */
  lastSuccessAt: Date | null;
  /** The worst job's reason (and the other failing jobs), or null when every job works. */
  reason: string | null;
}

export function deriveIntegration(
  states: readonly JobState[],
  policies: readonly JobPolicy[],
): IntegrationDerived {
  const worst = worstJob(states);
  if (!worst) {
    const latest = states
      .map((s) => s.lastSuccessAt)
      .filter((d): d is Date => d !== null)
      .sort((a, b) => b.getTime() - a.getTime())[0];
    return {
      failing: false,
      consecutiveFailures: 0,
      lastError: null,
      lastSuccessAt: latest ?? null,
      reason: null,
    };
  }
  const policy = policyOf(policies, worst);
  const others = states.filter((s) => s !== worst && isFailing(s)).map((s) => s.title);
  const reason = jobReason(worst, policy) + (others.length ? ` Also failing: ${others.join(', ')}.` : '');
  return {
    failing: true,
    consecutiveFailures: worst.consecutiveFailures,
    lastError: worst.lastError ? `${worst.title}: ${worst.lastError}` : null,
    lastSuccessAt: worst.lastSuccessAt,
    reason,
  };
}

export function policyOf(
  policies: readonly JobPolicy[],
  state: Pick<JobState, 'jobId' | 'title'>,
): JobPolicy {
  return (
    policies.find((p) => p.jobId === state.jobId) ?? {
      jobId: state.jobId,
      title: state.title,
      disableAfter: DEFAULT_DISABLE_AFTER,
    }
  );
}

/** The manifest's jobs as health policies (`disableAfterFailures`, default 5). */
export function jobPolicies(
  jobs: readonly { id: string; title?: string | undefined; disableAfterFailures?: number | undefined }[],
): JobPolicy[] {
  return jobs.map((j) => ({
    jobId: j.id,
    title: j.title ?? j.id,
    disableAfter: j.disableAfterFailures ?? DEFAULT_DISABLE_AFTER,
  }));
}

/** Reads `integration_jobs` rows (snake_case from SQL) into states. */
export interface JobRow {
  job_id: string;
  title: string;
  consecutive_failures: number;
  failed_runs: number;
  retry_pending: boolean;
  last_run_at: Date | string | null;
  last_success_at: Date | string | null;
  last_failure_at: Date | string | null;
  last_error: string | null;
}

const date = (d: Date | string | null) => (d === null ? null : new Date(d));

export function toJobState(row: JobRow): JobState {
  return {
    jobId: row.job_id,
    title: row.title,
    consecutiveFailures: Number(row.consecutive_failures),
    failedRuns: Number(row.failed_runs),
    retryPending: row.retry_pending,
    lastRunAt: date(row.last_run_at),
    lastSuccessAt: date(row.last_success_at),
    lastFailureAt: date(row.last_failure_at),
    lastError: row.last_error,
  };
}

export const JOB_COLUMNS =
  'job_id, title, consecutive_failures, failed_runs, retry_pending, last_run_at, last_success_at, last_failure_at, last_error';
