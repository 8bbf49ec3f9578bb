import type { Agenda, JobWithState } from 'agenda';
import type { RecurringChange } from './backend.ts';
import type { JobData } from './job-data.ts';
import { findPendingOnDemandRun, findRecurring } from './job-queries.ts';
import type { IntegrationJobSpec, RunNowInput, RunNowResult, SchedulerLogger } from './types.ts';

function recurringData(integrationId: string, spec: IntegrationJobSpec): JobData {
  return {
    integrationId,
    jobId: spec.jobId,
    trigger: 'schedule',
    attempt: 1,
    retry: spec.retry,
    ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}),
  };
}

/** JSON with object keys sorted: the database's jsonb hands `data` back in an order of its own. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const sameJson = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

/**
 * Idempotent: one recurring document per (integration, job). A new job runs at once (a freshly
 * connected integration syncs now); an unchanged one is left alone (restarts do not reset its
 * timing); a changed interval counts from the last run: `max(now, lastRunAt + interval)`; jobs
 * no longer listed are removed with their queued one-off runs. A change is written field by field
 * (`patch`), never by saving the document read here: Agenda may have run it meanwhile.
 */
export async function upsertIntegrationJobs(input: {
  agenda: Agenda;
  kind: string;
  integrationId: string;
  jobs: IntegrationJobSpec[];
  logger: SchedulerLogger;
  patch: (change: RecurringChange) => Promise<void>;
}): Promise<void> {
  const { agenda, kind, integrationId, logger, patch } = input;
  const existing = await findRecurring(agenda, kind, integrationId);
  const wanted = new Map(input.jobs.map((spec) => [spec.jobId, spec]));

  const stale: JobWithState<JobData>[] = [];
  const byJobId = new Map<string, JobWithState<JobData>>();
  for (const doc of existing) {
    if (!wanted.has(doc.data.jobId) || byJobId.has(doc.data.jobId)) stale.push(doc);
    else byJobId.set(doc.data.jobId, doc);
  }
  for (const doc of stale) {
    await agenda.cancel({ id: doc._id });
    if (!wanted.has(doc.data.jobId)) {
      await agenda.cancel({ name: kind, data: { integrationId, jobId: doc.data.jobId } });
      logger.info({ integrationId, jobId: doc.data.jobId }, 'Job unscheduled');
    }
  }

  for (const spec of wanted.values()) {
    const data = recurringData(integrationId, spec);
    const doc = byJobId.get(spec.jobId);
    if (!doc) {
      await createRecurring({ agenda, kind, data, intervalMs: spec.intervalMs });
      logger.info({ integrationId, jobId: spec.jobId, intervalMs: spec.intervalMs }, 'Job scheduled');
      continue;
    }
    const intervalChanged = Number(doc.repeatInterval) !== spec.intervalMs;
    if (!intervalChanged && sameJson(doc.data, data)) continue;
    await patch({ id: String(doc._id), data, intervalMs: spec.intervalMs, now: new Date() });
    if (intervalChanged)
      logger.info({ integrationId, jobId: spec.jobId, intervalMs: spec.intervalMs }, 'Job rescheduled');
    else logger.info({ integrationId, jobId: spec.jobId }, 'Job settings updated');
  }
}

async function createRecurring(input: { agenda: Agenda; kind: string; data: JobData; intervalMs: number }) {
  const create = () =>
    input.agenda
      .create(input.kind, input.data)
      .unique(
        {
          'data.integrationId': input.data.integrationId,
          'data.jobId': input.data.jobId,
          'data.trigger': 'schedule',
        },
        { insertOnly: true },
      )
      .repeatEvery(String(input.intervalMs))
      .save();
  try {
    await create();
  } catch (error) {
    // Another process inserted it between the backend's existence check and its insert; the
    // unique index (scheduler.ts) refused ours. The second attempt finds theirs.
    if (!isUniqueViolation(error)) throw error;
    await create();
  }
}

/**
 * Queues an on-demand run. De-duplicated: a request while a manual/webhook run of the same job is
 * queued joins it (same run id); a request while a run is in progress queues one run after it
 * (the run lock defers it until the running one ends). Never two concurrent runs.
 */
export async function queueOnDemandRun(
  input: RunNowInput & { agenda: Agenda; kind: string },
): Promise<RunNowResult> {
  const { agenda, kind, integrationId, jobId } = input;
  const pending = await findPendingOnDemandRun(agenda, kind, { integrationId, jobId });
  if (pending) return { runId: String(pending._id), joined: true };
  const [recurring] = (await findRecurring(agenda, kind, integrationId)).filter(
    (doc) => doc.data.jobId === jobId,
  );
  if (!recurring) {
    throw new Error(
      `Job '${jobId}' of integration '${integrationId}' is not scheduled (is the integration active?); nothing to run.`,
    );
  }
  const data: JobData = { ...recurring.data, trigger: input.trigger, attempt: 1 };
  const job = await agenda.create(kind, data).schedule(new Date()).save();
  return { runId: String(job.attrs._id), joined: false };
}
