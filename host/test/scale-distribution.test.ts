import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScheduler } from '../src/scheduler/index.ts';
import { memoryLogger } from './fixtures/scheduler-helpers.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/database.ts';
import { eventually } from '../src/testing/host-process.ts';
import { NO_SERVER, serverDatabaseUrl } from '../src/testing/server-database.ts';

const WORKER = fileURLToPath(new URL('./fixtures/scale-worker.ts', import.meta.url));
/** The short CI version; the long one: MCH_SCALE_INTEGRATIONS=500 MCH_SCALE_DURATION_MS=600000. */
const INTEGRATIONS = Number(process.env.MCH_SCALE_INTEGRATIONS ?? 30);
const DURATION_MS = Number(process.env.MCH_SCALE_DURATION_MS ?? 14_000);
const INTERVAL_MS = Number(process.env.MCH_SCALE_INTERVAL_MS ?? 2000);
const RUN_MS = 100;
const WORKERS = 3;

interface RunRow {
  worker: string;
  integration_id: string;
  started_at: Date;
  ended_at: Date | null;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/**
 * Issue 20 "Distribution" (scheduler level): three worker processes on one PostgreSQL run every
 * integration's recurring job, scheduled by another process as the API does. Every job runs on
 * schedule (lateness reported), never twice at once, and the work is spread over all workers.
 */
describe.skipIf(!serverDatabaseUrl())(
  `distribution over ${WORKERS} worker processes${serverDatabaseUrl() ? '' : NO_SERVER}`,
  () => {
    let t: TestDatabase;
    const children: ChildProcess[] = [];
    beforeAll(async () => {
      t = await createTestDatabase({ server: true });
      await t.db.pool.query(
        `create table scale_runs (id serial primary key, worker text not null, integration_id text not null,
         trigger text not null, started_at timestamptz not null, ended_at timestamptz)`,
      );
      // The API side: schedules, runs nothing.
      const api = createScheduler({ db: t.db, logger: memoryLogger(), processName: 'api' });
      api.define('scale-job', () => Promise.resolve());
      for (let i = 0; i < INTEGRATIONS; i++) {
        await api.scheduleIntegrationJobs({
          integrationId: `int-${i}`,
          kind: 'scale-job',
          jobs: [
            {
              jobId: 'orders',
              intervalMs: INTERVAL_MS,
              retry: { attempts: 0, backoff: 'exponential', initialDelayMs: 500, maxDelayMs: 500 },
            },
          ],
        });
      }
      await api.stop();
    });
    afterAll(async () => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      await t?.close();
    });

    it('runs every integration on schedule, never twice at once, spread over all workers', async () => {
      const outputs: string[] = [];
      const exits: Promise<number | null>[] = [];
      for (let w = 0; w < WORKERS; w++) {
        const child = spawn(process.execPath, [WORKER], {
          env: {
            ...process.env,
            DATABASE_URL: t.url!,
            WORKER_NAME: `worker-${w}`,
            POLL_MS: String(250 + w * 40),
            RUN_MS: String(RUN_MS),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        children.push(child);
        outputs[w] = '';
        child.stdout.on('data', (c: Buffer) => (outputs[w] += c.toString()));
        child.stderr.on('data', (c: Buffer) => (outputs[w] += c.toString()));
        exits.push(new Promise((resolve) => child.once('exit', resolve)));
      }
      await eventually(
        'every worker started',
        async () => (outputs.every((o) => o.includes('"ready":true')) ? true : undefined),
        60_000,
      );
      const started = Date.now();
      await new Promise((resolve) => setTimeout(resolve, DURATION_MS));
      for (const child of children) child.kill('SIGTERM');
      const codes = await Promise.all(exits);
      for (let w = 0; w < WORKERS; w++) {
        expect(codes[w], outputs[w]).toBe(0);
        const summary = JSON.parse(outputs[w]!.trim().split('\n').at(-1)!) as { errors: string[] };
        expect(summary.errors, outputs[w]).toEqual([]);
      }

      const { rows } = await t.db.pool.query<RunRow>(
        'select worker, integration_id, started_at, ended_at from scale_runs order by integration_id, started_at',
      );
      const byIntegration = Map.groupBy(rows, (r) => r.integration_id);
      expect(byIntegration.size).toBe(INTEGRATIONS);
      const lateness: number[] = [];
      const measuredMs = DURATION_MS;
      for (const [id, runs] of byIntegration) {
        // Drained on stop: every run ended; none started before the previous one of its job ended.
        for (const run of runs) expect(run.ended_at, id).not.toBeNull();
        for (let i = 1; i < runs.length; i++) {
          const gap = runs[i]!.started_at.getTime() - runs[i - 1]!.started_at.getTime();
          expect(runs[i]!.started_at.getTime(), id).toBeGreaterThanOrEqual(runs[i - 1]!.ended_at!.getTime());
          // One run per tick: a tick run twice would show as two runs well inside one interval (the
          // interval counts from Agenda's lastRunAt, a few hundred ms before a loaded handler starts).
          expect(gap, id).toBeGreaterThanOrEqual(INTERVAL_MS / 2);
          lateness.push(gap - INTERVAL_MS);
        }
        // On schedule: about one run per interval over the whole time (first run at start).
        expect(runs.length, id).toBeGreaterThanOrEqual(Math.floor(measuredMs / INTERVAL_MS) - 1);
      }
      lateness.sort((a, b) => a - b);
      const perWorker = Object.fromEntries(
        [...Map.groupBy(rows, (r) => r.worker)].map(([worker, runs]) => [worker, runs.length]),
      );
      const figures = {
        integrations: INTEGRATIONS,
        workers: WORKERS,
        intervalMs: INTERVAL_MS,
        durationMs: Date.now() - started,
        runs: rows.length,
        latenessP50Ms: Math.max(0, percentile(lateness, 50)),
        latenessP99Ms: Math.max(0, percentile(lateness, 99)),
        perWorker,
      };
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      // No tick missed: a run is never a whole interval late.
      expect(figures.latenessP99Ms).toBeLessThan(INTERVAL_MS);
      // Spread: every worker did a fair share (at least a sixth of an even split).
      expect(Object.keys(perWorker)).toHaveLength(WORKERS);
      for (const count of Object.values(perWorker))
        expect(count).toBeGreaterThanOrEqual(rows.length / WORKERS / 6);
    }, 180_000);

    it('survives workers killed (SIGKILL) every few seconds: no run beside another, every job resumes within the lock lifetime', async () => {
      await t.db.pool.query('truncate scale_runs');
      const LOCK_LIFETIME_MS = 5000; // the fixture's Agenda lock lifetime
      const CHAOS_MS = Number(process.env.MCH_CHAOS_DURATION_MS ?? 12_000);
      const killedAt = new Map<string, number>();
      const live = new Map<
        number,
        { name: string; child: ChildProcess; exit: Promise<number | null>; output: () => string }
      >();
      let generation = 0;
      const startWorker = (slot: number) => {
        const name = `chaos-${slot}#${++generation}`;
        let output = '';
        const child = spawn(process.execPath, [WORKER], {
          env: {
            ...process.env,
            DATABASE_URL: t.url!,
            WORKER_NAME: name,
            POLL_MS: String(250 + slot * 40),
            RUN_MS: '600',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        children.push(child);
        child.stdout.on('data', (c: Buffer) => (output += c.toString()));
        child.stderr.on('data', (c: Buffer) => (output += c.toString()));
        live.set(slot, {
          name,
          child,
          exit: new Promise((resolve) => child.once('exit', resolve)),
          output: () => output,
        });
      };
      for (let w = 0; w < WORKERS; w++) startWorker(w);
      await eventually(
        'every worker started',
        async () => ([...live.values()].every((l) => l.output().includes('"ready":true')) ? true : undefined),
        60_000,
      );
      // Chaos: a random worker is killed mid-run every ~2.5 s and replaced.
      const chaosEnd = Date.now() + CHAOS_MS;
      let kills = 0;
      while (Date.now() < chaosEnd) {
        await new Promise((resolve) => setTimeout(resolve, 2000 + Math.random() * 1000));
        const slot = Math.floor(Math.random() * WORKERS);
        const victim = live.get(slot)!;
        victim.child.kill('SIGKILL');
        await victim.exit;
        killedAt.set(victim.name, Date.now());
        kills++;
        startWorker(slot);
      }
      const lastKill = Date.now();
      // Calm: the locks the killed workers held expire (lock lifetime) and every job runs again.
      await new Promise((resolve) => setTimeout(resolve, LOCK_LIFETIME_MS + 3 * INTERVAL_MS));
      await eventually(
        'the replacement workers started',
        async () => ([...live.values()].every((l) => l.output().includes('"ready":true')) ? true : undefined),
        60_000,
      );
      for (const { child } of live.values()) child.kill('SIGTERM');
      const codes = await Promise.all([...live.values()].map((l) => l.exit));
      [...live.values()].forEach((l, i) => expect(codes[i], l.output()).toBe(0));

      const { rows } = await t.db.pool.query<RunRow>(
        'select worker, integration_id, started_at, ended_at from scale_runs order by integration_id, started_at',
      );
      const byIntegration = Map.groupBy(rows, (r) => r.integration_id);
      expect(byIntegration.size).toBe(INTEGRATIONS);
      let cutShort = 0;
      const resumedAfterMs: number[] = [];
      for (const [id, runs] of byIntegration) {
        // A run of a killed worker ended when its process died (its advisory lock with it).
        const endOf = (run: RunRow) => run.ended_at?.getTime() ?? killedAt.get(run.worker) ?? Infinity;
        for (let i = 1; i < runs.length; i++)
          expect(runs[i]!.started_at.getTime(), `${id} ran beside itself`).toBeGreaterThanOrEqual(
            endOf(runs[i - 1]!),
          );
        cutShort += runs.filter((r) => r.ended_at === null).length;
        // Every job completed a run after the chaos, within the lock lifetime plus an interval or two.
        const after = runs.find((r) => r.started_at.getTime() >= lastKill && r.ended_at !== null);
        expect(after, `${id} never ran again after the last kill`).toBeDefined();
        resumedAfterMs.push(after!.started_at.getTime() - lastKill);
      }
      resumedAfterMs.sort((a, b) => a - b);
      const figures = {
        kills,
        runs: rows.length,
        cutShort,
        resumedMaxMs: resumedAfterMs.at(-1),
        lockLifetimeMs: LOCK_LIFETIME_MS,
      };
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      expect(resumedAfterMs.at(-1)!).toBeLessThan(LOCK_LIFETIME_MS + 2 * INTERVAL_MS);
    }, 240_000);
  },
);
