import { MongoBackend } from '@agendajs/mongo-backend';
import { PostgresBackend } from '@agendajs/postgres-backend';
import { describe, expect, it } from 'vitest';
import { Tenant } from '../src/db/entities/index.ts';
import { createScheduler, selectBackend, type RunFinished } from '../src/scheduler/index.ts';
import { gaps, useSchedulerHarness } from './fixtures/scheduler-harness.ts';
import { memoryLogger, RETRY_NONE, sleep, waitFor } from './fixtures/scheduler-helpers.ts';

// Real database (embedded PGlite without DATABASE_URL, a fresh PostgreSQL database with it), real
// Agenda, accelerated intervals.
describe('scheduler: scheduling', () => {
  const { scheduler, agendaRows, database } = useSchedulerHarness();
  const t = {
    get db() {
      return database().db;
    },
  };

  it('runs jobs on schedule on the database the ORM uses, with the ORM working in the same process', async () => {
    const s = scheduler();
    const starts: number[] = [];
    let finished = 0;
    s.define('k-schedule', async ({ integrationId, trigger, attempt }) => {
      starts.push(Date.now());
      expect({ integrationId, trigger, attempt }).toEqual({
        integrationId: 'i-1',
        trigger: 'schedule',
        attempt: 1,
      });
      // The ORM on the same (possibly embedded) database, inside a run.
      const em = t.db.orm.em.fork();
      em.create(Tenant, { slug: `sched-${starts.length}`, name: 'Scheduled' });
      await em.flush();
      finished++;
    });
    await s.start();
    await s.scheduleIntegrationJobs({
      integrationId: 'i-1',
      kind: 'k-schedule',
      jobs: [{ jobId: 'orders', intervalMs: 1000, retry: RETRY_NONE }],
    });
    // Four runs finished (a run counts once its ORM write is committed, not when it starts).
    await waitFor('four runs', () => finished >= 4, 8000);
    for (const gap of gaps(starts)) {
      expect(gap).toBeGreaterThan(800);
      expect(gap).toBeLessThan(1600);
    }
    const tenants = await t.db.orm.em.fork().find(Tenant, { slug: { $like: 'sched-%' } });
    expect(tenants.length).toBeGreaterThanOrEqual(4);
  });

  it('upserts idempotently, reschedules on an interval change and removes unlisted jobs', async () => {
    const s = scheduler();
    const starts: Record<string, number[]> = { a: [], b: [] };
    s.define('k-resched', async ({ jobId }) => {
      starts[jobId]!.push(Date.now());
    });
    await s.start();
    const jobs = (intervalMs: number) => [
      { jobId: 'a', intervalMs, retry: RETRY_NONE },
      { jobId: 'b', intervalMs: 60_000, retry: RETRY_NONE },
    ];
    await s.scheduleIntegrationJobs({ integrationId: 'i-2', kind: 'k-resched', jobs: jobs(500) });
    await s.scheduleIntegrationJobs({ integrationId: 'i-2', kind: 'k-resched', jobs: jobs(500) });
    expect((await agendaRows('k-resched')).filter((r) => r.data.trigger === 'schedule')).toHaveLength(2);

    await waitFor('three runs at 500 ms', () => starts.a!.length >= 3, 5000);
    await s.scheduleIntegrationJobs({ integrationId: 'i-2', kind: 'k-resched', jobs: jobs(1500) });
    const changedAt = Date.now();
    await sleep(3400);
    const after = starts.a!.filter((time) => time > changedAt);
    expect(after.length).toBeGreaterThanOrEqual(1);
    expect(after.length).toBeLessThanOrEqual(3);
    for (const gap of gaps(after)) expect(gap).toBeGreaterThan(1300);
    expect(starts.b).toHaveLength(1); // ran once when scheduled; next run is a minute away

    await s.scheduleIntegrationJobs({ integrationId: 'i-2', kind: 'k-resched', jobs: jobs(1500).slice(1) });
    const rows = await agendaRows('k-resched');
    expect(rows.map((r) => r.data.jobId)).toEqual(['b']);

    // A changed retry policy alone is written without touching the next run (still a minute away).
    const retry = { attempts: 2, backoff: 'fixed', initialDelayMs: 100, maxDelayMs: 100 } as const;
    await s.scheduleIntegrationJobs({
      integrationId: 'i-2',
      kind: 'k-resched',
      jobs: [{ jobId: 'b', intervalMs: 60_000, retry }],
    });
    const [updated] = await agendaRows('k-resched');
    expect(updated!.data).toMatchObject({ jobId: 'b', retry });
    await sleep(500);
    expect(starts.b).toHaveLength(1);
  });

  it('scales every recurring interval by intervalScale (tests), never below a second', async () => {
    const s = scheduler({ intervalScale: 0.01 });
    const starts: number[] = [];
    s.define('k-scaled', async () => {
      starts.push(Date.now());
    });
    await s.start();
    await s.scheduleIntegrationJobs({
      integrationId: 'i-scaled',
      kind: 'k-scaled',
      // A minute becomes 600 ms, raised to the one-second floor.
      jobs: [{ jobId: 'orders', intervalMs: 60_000, retry: RETRY_NONE }],
    });
    const { rows } = await t.db.pool.query<{ repeat_interval: string }>(
      `select repeat_interval from agenda_jobs where name = 'k-scaled'`,
    );
    expect(rows.map((r) => r.repeat_interval)).toEqual(['1000']);
    await waitFor('three runs a second apart', () => starts.length >= 3, 6000);
    for (const gap of gaps(starts)) expect(gap).toBeGreaterThan(800);
  });

  it('an identical upsert while the new jobs start runs none of them again (no stale write of their next run)', async () => {
    // The defect behind a job seen starting twice 22 ms apart: the second upsert read each document
    // while it was still due, Agenda then ran it (next run a minute away), and the upsert wrote the
    // whole stale document back, due again. Forty jobs widen the window enough to see it every time.
    const s = scheduler();
    const starts = new Map<string, number>();
    s.define('k-twice', async ({ jobId }) => {
      starts.set(jobId, (starts.get(jobId) ?? 0) + 1);
      await sleep(20);
    });
    await s.start();
    const jobs = Array.from({ length: 40 }, (_, i) => ({
      jobId: `j${i}`,
      intervalMs: 60_000,
      retry: RETRY_NONE,
    }));
    await s.scheduleIntegrationJobs({ integrationId: 'i-twice', kind: 'k-twice', jobs });
    await s.scheduleIntegrationJobs({ integrationId: 'i-twice', kind: 'k-twice', jobs });
    await waitFor('every job ran', () => starts.size === 40, 10_000);
    await sleep(1500);
    expect([...starts.entries()].filter(([, count]) => count !== 1)).toEqual([]);
  });

  it('two schedulers locking due jobs a few per statement run each job once and leave none locked', async () => {
    // batch-lock.ts: small batches so that both schedulers' fills (poll and wake-up) overlap often.
    const [a, b] = [scheduler({ lockBatch: 3 }), scheduler({ lockBatch: 3 })];
    const starts = new Map<string, number>();
    for (const s of [a, b]) {
      s.define('k-batch', async ({ integrationId }) => {
        starts.set(integrationId, (starts.get(integrationId) ?? 0) + 1);
        await sleep(10);
      });
    }
    const jobs = [{ jobId: 'orders', intervalMs: 60_000, retry: RETRY_NONE }];
    for (let i = 0; i < 30; i++) {
      await a.scheduleIntegrationJobs({ integrationId: `i-batch-${i}`, kind: 'k-batch', jobs });
    }
    await Promise.all([a.start(), b.start()]);
    await waitFor('every job ran', () => starts.size === 30, 15_000);
    await sleep(1000);
    expect([...starts.values()].every((count) => count === 1)).toBe(true);
    await Promise.all([a.stop(), b.stop()]);
    expect((await agendaRows('k-batch')).filter((row) => row.locked_at !== null)).toEqual([]);
  });

  it('schedules one recurring document even when two schedulers upsert the same job at once', async () => {
    const [a, b] = [scheduler(), scheduler()];
    for (const s of [a, b]) s.define('k-race', async () => undefined);
    const jobs = [{ jobId: 'orders', intervalMs: 60_000, retry: RETRY_NONE }];
    await Promise.all(
      [a, b, a, b].map((s) => s.scheduleIntegrationJobs({ integrationId: 'i-race', kind: 'k-race', jobs })),
    );
    expect(await agendaRows('k-race')).toHaveLength(1);
  });

  it('a reschedule made while the job runs is not undone when that run ends', async () => {
    const s = scheduler();
    const starts: number[] = [];
    let running = false;
    s.define('k-resched-running', async () => {
      running = true;
      starts.push(Date.now());
      await sleep(800);
      running = false;
    });
    await s.start();
    const schedule = (intervalMs: number) =>
      s.scheduleIntegrationJobs({
        integrationId: 'i-rr',
        kind: 'k-resched-running',
        jobs: [{ jobId: 'orders', intervalMs, retry: RETRY_NONE }],
      });
    await schedule(60_000);
    await waitFor('the first run', () => running);
    await schedule(1200);
    await waitFor('the next run at the new interval', () => starts.length >= 2, 4000);
    // The interval counts from Agenda's lastRunAt, set before the handler starts (after the run
    // lock, a connection of its own that a loaded machine may take 100+ ms to open): the handlers'
    // own timestamps can be closer together than the interval by that much.
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(1000);
    expect(starts[1]! - starts[0]!).toBeLessThan(1800);
  });

  it('unscheduleIntegration removes every job of the integration and nothing else', async () => {
    const s = scheduler();
    const runs: string[] = [];
    s.define('k-unsched', async ({ integrationId }) => {
      runs.push(integrationId);
    });
    await s.start();
    for (const integrationId of ['i-3', 'i-4']) {
      await s.scheduleIntegrationJobs({
        integrationId,
        kind: 'k-unsched',
        jobs: [{ jobId: 'orders', intervalMs: 400, retry: RETRY_NONE }],
      });
    }
    await waitFor('both integrations ran', () => runs.includes('i-3') && runs.includes('i-4'));
    expect(await s.unscheduleIntegration('i-3')).toBeGreaterThanOrEqual(1);
    await sleep(500); // a run already under way may finish
    const before = runs.filter((id) => id === 'i-3').length;
    await sleep(1200);
    expect(runs.filter((id) => id === 'i-3').length).toBe(before);
    expect(runs.filter((id) => id === 'i-4').length).toBeGreaterThanOrEqual(3);
    expect((await agendaRows('k-unsched')).map((r) => r.data.jobId)).toEqual(['orders']);
    await expect(
      s.runNow({ integrationId: 'i-3', jobId: 'orders', trigger: 'manual', kind: 'k-unsched' }),
    ).rejects.toThrow(/not scheduled/);
  });

  it.runIf(process.env.DATABASE_URL)(
    'on PostgreSQL, a queued run wakes the scheduler by NOTIFY instead of waiting for the next poll',
    async () => {
      const s = scheduler({ pollIntervalMs: 20_000 });
      const starts: { trigger: string; at: number }[] = [];
      s.define('k-notify', async ({ trigger }) => {
        starts.push({ trigger, at: Date.now() });
      });
      await s.start();
      await s.scheduleIntegrationJobs({
        integrationId: 'i-notify',
        kind: 'k-notify',
        jobs: [{ jobId: 'orders', intervalMs: 3_600_000, retry: RETRY_NONE }],
      });
      await waitFor('the first run', () => starts.length === 1, 3000);
      await sleep(200);
      const requested = Date.now();
      await s.runNow({ integrationId: 'i-notify', jobId: 'orders', trigger: 'webhook', kind: 'k-notify' });
      await waitFor('the webhook run', () => starts.length === 2, 3000);
      expect(starts[1]!.trigger).toBe('webhook');
      expect(starts[1]!.at - requested).toBeLessThan(1500);
    },
  );

  it('unscheduling aborts a running run of the integration and queues no retry for it', async () => {
    const outcomes: RunFinished[] = [];
    const s = scheduler({ onRunFinished: (o) => void outcomes.push(o) });
    let started = false;
    s.define('k-unsched-running', async ({ signal }) => {
      started = true;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      throw signal.reason;
    });
    await s.start();
    await s.scheduleIntegrationJobs({
      integrationId: 'i-ur',
      kind: 'k-unsched-running',
      jobs: [
        {
          jobId: 'orders',
          intervalMs: 3_600_000,
          retry: { attempts: 3, backoff: 'fixed', initialDelayMs: 100, maxDelayMs: 100 },
        },
      ],
    });
    await waitFor('the run', () => started);
    await s.unscheduleIntegration('i-ur');
    await waitFor('the outcome', () => outcomes.length === 1, 3000);
    expect(outcomes[0]).toMatchObject({ ok: false, willRetry: false });
    await sleep(500);
    expect(outcomes).toHaveLength(1);
    expect(await agendaRows('k-unsched-running')).toEqual([]);
  });

  describe('backend selection', () => {
    it('uses the MongoDB backend when a MongoDB URL is given (without connecting)', () => {
      const selected = selectBackend({ db: t.db, mongodbUrl: 'mongodb://127.0.0.1:1/agenda' });
      expect(selected.kind).toBe('mongo');
      expect(selected.backend).toBeInstanceOf(MongoBackend);
      expect(selected.notificationChannel).toBeUndefined();
      const scheduler = createScheduler({
        db: t.db,
        mongodbUrl: 'mongodb://127.0.0.1:1/agenda',
        logger: memoryLogger(),
        processName: 'unit',
      });
      expect(scheduler.backend).toBe('mongo');
    });

    it('uses PostgreSQL on the host database otherwise: polling on the embedded one, LISTEN/NOTIFY on a server', () => {
      const selected = selectBackend({ db: t.db });
      expect(selected.backend).toBeInstanceOf(PostgresBackend);
      if (t.db.kind === 'embedded') {
        expect(selected.kind).toBe('embedded');
        expect(selected.notificationChannel).toBeUndefined();
      } else {
        expect(selected.kind).toBe('postgres');
        expect(selected.notificationChannel).toBeDefined();
      }
      // The backend's own LISTEN is off either way: a server gets a separate channel (above).
      expect(selected.backend.notificationChannel).toBeUndefined();
    });
  });
});
