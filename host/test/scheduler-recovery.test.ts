import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { migrate, openDatabase } from '../src/db/orm.ts';
import { AGENDA_TABLE, createScheduler } from '../src/scheduler/index.ts';
import { memoryLogger, RETRY_NONE, waitFor } from './fixtures/scheduler-helpers.ts';

// A restart of a host on the embedded database (persistent PGlite in a temporary folder). On a
// PostgreSQL server other processes' locks are live, so there is nothing to release there.
it.runIf(!process.env.DATABASE_URL)(
  'on the embedded database, a restarted process releases the locks its crashed predecessor left',
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mch-sched-'));
    try {
      const before = await openDatabase({ dataDir });
      await migrate(before);
      const crashed = createScheduler({ db: before, logger: memoryLogger(), processName: 'crashed' });
      crashed.define('k-crash', async () => undefined);
      await crashed.scheduleIntegrationJobs({
        integrationId: 'i-crash',
        kind: 'k-crash',
        jobs: [{ jobId: 'orders', intervalMs: 3_600_000, retry: RETRY_NONE }],
      });
      // As if the process died mid-run: the document stays locked (for the 10-minute lifetime).
      await before.pool.query(`update ${AGENDA_TABLE} set locked_at = now(), next_run_at = now()`);
      await crashed.stop();
      await before.close();

      const after = await openDatabase({ dataDir });
      const logger = memoryLogger();
      const restarted = createScheduler({
        db: after,
        logger,
        processName: 'restarted',
        pollIntervalMs: 100,
      });
      let ran = false;
      restarted.define('k-crash', async () => {
        ran = true;
      });
      try {
        await restarted.start();
        await waitFor('the run after the restart', () => ran, 3000);
        expect(logger.entries.some((e) => e.msg.startsWith('Released job locks'))).toBe(true);
      } finally {
        await restarted.stop({ drainTimeoutMs: 1000 });
        await after.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
