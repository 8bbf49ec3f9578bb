import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/testing/database.ts';
import { NO_SERVER, serverDatabaseUrl } from '../src/testing/server-database.ts';

const WORKER = fileURLToPath(new URL('./fixtures/scheduler-worker.ts', import.meta.url));
const INTERVAL_MS = 1000;
const RUN_MS = 600;
const RUN_FOR_MS = 10_000;

interface RunRow {
  process: string;
  trigger: string;
  started_at: Date;
  ended_at: Date | null;
}

function runWorker(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER], { env: { ...process.env, ...env }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// The embedded database lives inside one process, so this needs a PostgreSQL server: DATABASE_URL's
// or, in a local run without it, the cluster the test run starts (support/global-setup.ts).
describe.skipIf(!serverDatabaseUrl())(
  `scheduler across two host processes on one PostgreSQL${serverDatabaseUrl() ? '' : NO_SERVER}`,
  () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase({ server: true });
      await t.db.pool.query(
        `create table scheduler_runs (id serial primary key, process text not null, integration_id text not null,
         job_id text not null, trigger text not null, started_at timestamptz not null, ended_at timestamptz)`,
      );
    });
    afterAll(() => t.close());

    it('runs one integration job on schedule in both processes and never twice at once', async () => {
      const common = {
        DATABASE_URL: t.url!,
        RUN_FOR_MS: String(RUN_FOR_MS),
        INTERVAL_MS: String(INTERVAL_MS),
        RUN_MS: String(RUN_MS),
      };
      // Different poll intervals so neither process always polls first; manual runs requested
      // while scheduled ones run, from both processes.
      const results = await Promise.all([
        runWorker({ ...common, WORKER_NAME: 'host-a', POLL_MS: '150', MANUAL_AT_MS: '2300,6100' }),
        runWorker({ ...common, WORKER_NAME: 'host-b', POLL_MS: '230', MANUAL_AT_MS: '4200,6150' }),
      ]);
      for (const result of results) {
        expect(result.code, result.stderr).toBe(0);
        const summary = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
          failures: number;
          errors: string[];
        };
        expect(summary).toMatchObject({ failures: 0, errors: [] });
      }

      const { rows } = await t.db.pool.query<RunRow>(
        'select process, trigger, started_at, ended_at from scheduler_runs order by started_at',
      );
      // Every run finished (drained on stop) and none started before the previous one ended.
      for (const row of rows) expect(row.ended_at).not.toBeNull();
      for (let i = 1; i < rows.length; i++) {
        expect(rows[i]!.started_at.getTime()).toBeGreaterThanOrEqual(rows[i - 1]!.ended_at!.getTime());
      }

      // On schedule: about one scheduled run per interval over the ten seconds. A tick that falls
      // while an on-demand run is going is skipped by design (that run is the sync of the period),
      // so a gap may stretch by one interval per on-demand run in between, never more.
      const scheduled = rows.filter((r) => r.trigger === 'schedule');
      const onDemand = rows.length - scheduled.length;
      // ~9 due ticks after start-up; each on-demand run may take the place of one.
      expect(scheduled.length + onDemand).toBeGreaterThanOrEqual(8);
      expect(scheduled.length).toBeGreaterThanOrEqual(9 - onDemand - 1);
      expect(scheduled.length).toBeLessThanOrEqual(11);
      for (let i = 1; i < scheduled.length; i++) {
        const [from, to] = [scheduled[i - 1]!.started_at.getTime(), scheduled[i]!.started_at.getTime()];
        const onDemandBetween = rows.filter(
          (r) => r.trigger !== 'schedule' && r.started_at.getTime() > from && r.started_at.getTime() < to,
        ).length;
        // Rows are written by the handler, a little after Agenda's own start time (lastRunAt), which
        // is what the interval counts from: allow for that lag.
        expect(to - from).toBeGreaterThanOrEqual(INTERVAL_MS - 250);
        // Upper bound: an interval (plus poll and scheduling lag on a busy machine) per skipped tick.
        expect(to - from).toBeLessThan((1 + onDemandBetween) * (INTERVAL_MS + 300) + 700);
      }
      // The manual requests ran too (two pairs of near-simultaneous requests: at least two runs).
      expect(rows.filter((r) => r.trigger === 'manual').length).toBeGreaterThanOrEqual(2);
      // Both processes took part.
      expect(new Set(rows.map((r) => r.process))).toEqual(new Set(['host-a', 'host-b']));
    }, 40_000);
  },
);
