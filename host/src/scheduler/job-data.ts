import type { RetryPolicy, RunTrigger } from './types.ts';

/**
 * What every Agenda job document of ours carries in `data`. Everything a process needs to run it
 * is here (retry policy, timeout), because the process that runs a job is often not the one that
 * scheduled it.
 */
export interface JobData {
  integrationId: string;
  jobId: string;
  trigger: RunTrigger;
  attempt: number;
  retry: RetryPolicy;
  timeoutMs?: number | undefined;
}

export const DEFAULT_KIND = 'plugin-job';

/** The run-lock key: one per (integration, job), whatever the kind or trigger. */
export function runKey(data: Pick<JobData, 'integrationId' | 'jobId'>): string {
  return `${data.integrationId}/${data.jobId}`;
}

export function isJobData(value: unknown): value is JobData {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.integrationId === 'string' &&
    typeof v.jobId === 'string' &&
    typeof v.trigger === 'string' &&
    typeof v.attempt === 'number' &&
    typeof v.retry === 'object' &&
    v.retry !== null
  );
}
