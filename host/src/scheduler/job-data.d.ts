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
export declare const DEFAULT_KIND = "plugin-job";
/** The run-lock key: one per (integration, job), whatever the kind or trigger. */
export declare function runKey(data: Pick<JobData, 'integrationId' | 'jobId'>): string;
export declare function isJobData(value: unknown): value is JobData;
