import type { SyncHooks } from '../app/services.ts';
import { SyncRun } from '../db/entities/sync-run.entity.ts';
import type { Database } from '../db/orm.ts';
import { HostError } from '../errors.ts';
import type { Scheduler } from '../scheduler/types.ts';

/**
 * Sync triggering until the sync engine exists: records a queued run (so the console can poll
 * it by id) and asks the scheduler to run the job now. The sync engine replaces this with its
 * own `SyncHooks`, which records runs as it executes them.
 */
export function createSchedulerSync(input: { db: Database; scheduler: Scheduler | undefined }): SyncHooks {
  return {
    async trigger({ integrationId, tenantId, jobId, trigger }) {
      const { scheduler } = input;
      if (!scheduler) {
        throw new HostError(
          'SERVICE_UNAVAILABLE',
          'No scheduler runs in this host process; start one with --role all or worker.',
        );
      }
      const em = input.db.orm.em.fork();
      const run = em.create(SyncRun, {
        tenantId,
        integrationId,
        jobId,
        trigger,
        status: 'queued',
        counts: { fetched: 0, created: 0, updated: 0, unchanged: 0, failed: 0 },
        startedAt: new Date(),
      });
      await em.flush();
      await scheduler.runNow({ integrationId, jobId, trigger });
      return { runId: run.id };
    },
  };
}
