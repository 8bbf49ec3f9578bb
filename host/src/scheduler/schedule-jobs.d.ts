import { type Agenda } from 'agenda';
import type { IntegrationJobSpec, RunNowInput, RunNowResult, SchedulerLogger } from './types.ts';
/**
 * Idempotent: one recurring document per (integration, job). A new job runs at once (a freshly
 * connected integration syncs now); an unchanged one is left alone (restarts do not reset its
 * timing); a changed interval counts from the last run: `max(now, lastRunAt + interval)`; jobs
 * no longer listed are removed with their queued one-off runs.
 */
export declare function upsertIntegrationJobs(input: {
    agenda: Agenda;
    kind: string;
    integrationId: string;
    jobs: IntegrationJobSpec[];
    logger: SchedulerLogger;
}): Promise<void>;
/**
 * Queues an on-demand run. De-duplicated: a request while a manual/webhook run of the same job is
 * queued joins it (same run id); a request while a run is in progress queues one run after it
 * (the run lock defers it until the running one ends). Never two concurrent runs.
 */
export declare function queueOnDemandRun(input: RunNowInput & {
    agenda: Agenda;
    kind: string;
}): Promise<RunNowResult>;
