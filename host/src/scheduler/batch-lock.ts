import type { JobParameters, JobRepository } from 'agenda';
import type { SqlPool } from '../db/orm.ts';

/** Rows locked per statement: enough to cut a busy window's lock round trips by that factor. */
export const DEFAULT_LOCK_BATCH = 25;

interface RowMapper {
  rowToJob(row: Record<string, unknown>): JobParameters;
}

/**
 * Agenda fills its queue by locking one due document per statement, recursively until none is
 * left (`JobProcessor.jobQueueFilling`): with 10 000 integrations a worker spent most of each poll
 * on those round trips and ran jobs minutes late (issue 20). This locks up to `batch` due
 * documents in one statement — the same conditions, order and `FOR UPDATE SKIP LOCKED` as the
 * backend's own `getNextJobToRun` — and hands them to Agenda one call at a time.
 *
 * Nothing is locked ahead of Agenda's knowledge for long: a fill keeps calling until a call
 * returns nothing, and a call returns nothing only once the buffer is empty, so every document
 * locked here is in Agenda's own list (which `stop()` unlocks) by the end of the fill. `release()`
 * unlocks whatever a fill interrupted by `stop()` left behind.
 */
export function batchedLocking(
  repository: JobRepository,
  options: { pool: SqlPool; tableName: string; batch?: number },
): JobRepository & { release(): Promise<void> } {
  const batch = options.batch ?? DEFAULT_LOCK_BATCH;
  const mapper = repository as unknown as RowMapper;
  const buffers = new Map<string, JobParameters[]>();

  async function lockBatch(
    jobName: string,
    nextScanAt: Date,
    lockDeadline: Date,
    now: Date | undefined,
    lastModifiedBy: string | null,
  ): Promise<JobParameters[]> {
    const { rows } = await options.pool.query<Record<string, unknown>>(
      `update "${options.tableName}" set locked_at = $1, last_modified_by = $5
        where id in (
          select id from "${options.tableName}"
           where name = $2 and disabled = false
             and ((locked_at is null and next_run_at <= $3) or locked_at <= $4)
           order by next_run_at asc nulls last, priority desc
           limit $6
           for update skip locked)
        returning *`,
      [now ?? new Date(), jobName, nextScanAt, lockDeadline, lastModifiedBy, batch],
    );
    return rows.map((row) => mapper.rowToJob(row));
  }

  /** Earliest due first, then the highest priority: the order of Agenda's own query. */
  const byDue = (a: JobParameters, b: JobParameters) =>
    (a.nextRunAt ? new Date(a.nextRunAt).getTime() : Infinity) -
      (b.nextRunAt ? new Date(b.nextRunAt).getTime() : Infinity) || (b.priority ?? 0) - (a.priority ?? 0);

  const getNextJobToRun: JobRepository['getNextJobToRun'] = async (
    jobName,
    nextScanAt,
    lockDeadline,
    now,
    lockOptions,
  ) => {
    let buffer = buffers.get(jobName);
    if (!buffer) buffers.set(jobName, (buffer = []));
    if (!buffer.length) {
      // Two fills of one kind may run at once (a poll and a notification): each adds what it
      // locked to the one buffer, so no locked document is ever dropped.
      const locked = await lockBatch(
        jobName,
        nextScanAt,
        lockDeadline,
        now,
        lockOptions?.lastModifiedBy ?? null,
      );
      buffer.push(...locked);
      buffer.sort(byDue);
    }
    return buffer.shift();
  };

  async function release(): Promise<void> {
    const ids = [...buffers.values()].flat().flatMap((job) => (job._id ? [job._id] : []));
    buffers.clear();
    if (ids.length) await repository.unlockJobs(ids);
  }

  return new Proxy(repository, {
    get(target, property, receiver) {
      if (property === 'getNextJobToRun') return getNextJobToRun;
      if (property === 'release') return release;
      return Reflect.get(target, property, receiver) as unknown;
    },
  }) as JobRepository & { release(): Promise<void> };
}
