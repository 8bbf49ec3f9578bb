import type { Agenda, JobWithState } from 'agenda';
import type { JobData } from './job-data.ts';
import type { RunTrigger } from './types.ts';

type Key = Pick<JobData, 'integrationId' | 'jobId'>;

/** Documents of one kind whose `data` contains `data` (jsonb `@>` / Mongo dot paths). */
export async function findJobs(
  agenda: Agenda,
  kind: string,
  data: Partial<JobData>,
): Promise<JobWithState<JobData>[]> {
  const result = await agenda.queryJobs({ name: kind, data });
  return result.jobs as JobWithState<JobData>[];
}

/** A queued (not running) one-off document: while a one-off runs, Agenda holds its `nextRunAt` at null. */
function isPending(job: JobWithState<JobData>): boolean {
  return job.nextRunAt !== null && job.nextRunAt !== undefined;
}

export async function pendingRetryExists(agenda: Agenda, kind: string, key: Key): Promise<boolean> {
  const jobs = await findJobs(agenda, kind, {
    integrationId: key.integrationId,
    jobId: key.jobId,
    trigger: 'retry',
  });
  return jobs.some(isPending);
}

/** After a success the pending retries of that job are moot. */
export async function cancelPendingRetries(agenda: Agenda, kind: string, key: Key): Promise<number> {
  return agenda.cancel({
    name: kind,
    data: { integrationId: key.integrationId, jobId: key.jobId, trigger: 'retry' },
  });
}

/** A queued manual, webhook or follow-up run of the job, which a new request joins instead of adding another. */
export async function findPendingOnDemandRun(
  agenda: Agenda,
  kind: string,
  key: Key,
): Promise<JobWithState<JobData> | undefined> {
  const onDemand: RunTrigger[] = ['manual', 'webhook', 'follow_up'];
  const jobs = await findJobs(agenda, kind, { integrationId: key.integrationId, jobId: key.jobId });
  return jobs.find((job) => onDemand.includes(job.data.trigger) && isPending(job));
}

/** False once the job was unscheduled (integration disabled or deleted, job dropped from the list). */
export async function isStillScheduled(agenda: Agenda, kind: string, key: Key): Promise<boolean> {
  const jobs = await findJobs(agenda, kind, {
    integrationId: key.integrationId,
    jobId: key.jobId,
    trigger: 'schedule',
  });
  return jobs.length > 0;
}

export async function findRecurring(
  agenda: Agenda,
  kind: string,
  integrationId: string,
): Promise<JobWithState<JobData>[]> {
  return findJobs(agenda, kind, { integrationId, trigger: 'schedule' });
}
