import type { Agenda, JobWithState } from 'agenda';
import type { JobData } from './job-data.ts';
type Key = Pick<JobData, 'integrationId' | 'jobId'>;
/** Documents of one kind whose `data` contains `data` (jsonb `@>` / Mongo dot paths). */
export declare function findJobs(agenda: Agenda, kind: string, data: Partial<JobData>): Promise<JobWithState<JobData>[]>;
export declare function pendingRetryExists(agenda: Agenda, kind: string, key: Key): Promise<boolean>;
/** After a success the pending retries of that job are moot. */
export declare function cancelPendingRetries(agenda: Agenda, kind: string, key: Key): Promise<number>;
/** A queued manual or webhook run of the job, which a new request joins instead of adding another. */
export declare function findPendingOnDemandRun(agenda: Agenda, kind: string, key: Key): Promise<JobWithState<JobData> | undefined>;
export declare function findRecurring(agenda: Agenda, kind: string, integrationId: string): Promise<JobWithState<JobData>[]>;
export {};
