import { MongoBackend } from '@agendajs/mongo-backend';
import { PostgresBackend } from '@agendajs/postgres-backend';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Tenant } from '../src/db/entities/index.ts';
import {
  AGENDA_TABLE,
  createScheduler,
  JobTimeoutError,
  NonRetryableError,
  selectBackend,
  type CreateSchedulerOptions,
  type RunFinished,
  type Scheduler,
} from '../src/scheduler/index.ts';
import { memoryLogger, RETRY_NONE, sleep, waitFor } from './fixtures/scheduler-helpers.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

// Real database (embedded PGlite without DATABASE_URL, a fresh PostgreSQL database with it), real
// Agenda, accelerated intervals.
describe('scheduler', () => {
  let t: TestDatabase;
  const live: Scheduler[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(live.splice(0).map((s) => s.stop({ drainTimeoutMs: 2000 })));
  });
  afterAll(() => t.close());

  function scheduler(overrides: Partial<CreateSchedulerOptions> = {}) {
    const logger = memoryLogger();
    const s = createScheduler({
      db: t.db,
      logger,
      processName: `test-${live.length}`,
      pollIntervalMs: 100,
      ...overrides,
    });
    live.push(s);
    return Object.assign(s, { logger });
  }

  async function agendaRows(kind: string) {
    const { rows } = await t.db.pool.query<{
      data: { trigger: string; jobId: string };
      locked_at: Date | null;
    }>(`select data, locked_at from ${AGENDA_TABLE} where name = $1`, [kind]);
    return rows;
  }

  const gaps = (times: number[]) => times.slice(1).map((time, i) => time - times[i]!);

  it('runs jobs on schedule on the database the ORM uses, with the ORM working in the same process', async () => {
    const s = scheduler();
    const starts: number[] = [];
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
    });
    await s.start();
    await s.scheduleIntegrationJobs({
      integrationId: 'i-1',
      kind: 'k-schedule',
      jobs: [{ jobId: 'orders', intervalMs: 1000, retry: RETRY_NONE }],
    });
    await waitFor('four runs', () => starts.length >= 4, 8000);
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

  it('aborts a run that exceeds its timeout and counts it as a failed, retryable run', async () => {
    const outcomes: RunFinished[] = [];
    const s = scheduler({ onRunFinished: (o) => void outcomes.push(o) });
    let reason: unknown;
    s.define('k-timeout', async ({ signal, attempt }) => {
      if (attempt > 1) return;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      reason = signal.reason;
    });
    await s.start();
    await s.scheduleIntegrationJobs({
      integrationId: 'i-timeout',
      kind: 'k-timeout',
      jobs: [
        {
          jobId: 'orders',
          intervalMs: 3_600_000,
          timeoutMs: 300,
          retry: { attempts: 1, backoff: 'fixed', initialDelayMs: 100, maxDelayMs: 100 },
        },
      ],
    });
    await waitFor('the run and its retry', () => outcomes.length === 2);
    expect(reason).toBeInstanceOf(JobTimeoutError);
    expect(outcomes.map((o) => [o.trigger, o.ok, o.willRetry])).toEqual([
      ['schedule', false, true],
      ['retry', true, false],
    ]);
    expect(outcomes[0]!.error).toBeInstanceOf(JobTimeoutError);
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
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(1150);
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

  it('retries a failed run with exponential backoff up to the attempt limit, then stops', async () => {
    const outcomes: RunFinished[] = [];
    const s = scheduler({ random: () => 1, onRunFinished: (o) => void outcomes.push(o) });
    const attempts: { attempt: number; trigger: string; at: number }[] = [];
    s.define('k-retry', async ({ attempt, trigger }) => {
      attempts.push({ attempt, trigger, at: Date.now() });
      throw new Error(`boom ${attempt}`);
    });
    await s.start();
    await s.scheduleIntegrationJobs({
      integrationId: 'i-5',
      kind: 'k-retry',
      jobs: [
        {
          jobId: 'orders',
          intervalMs: 3_600_000,
          retry: { attempts: 3, backoff: 'exponential', initialDelayMs: 300, maxDelayMs: 10_000 },
        },
      ],
    });
    await waitFor('first run and three retries', () => outcomes.length >= 4, 8000);
    await sleep(1500); // no fifth attempt
    expect(attempts.map((a) => [a.attempt, a.trigger])).toEqual([
      [1, 'schedule'],
      [2, 'retry'],
      [3, 'retry'],
      [4, 'retry'],
    ]);
    // random() = 1 → full delays 300, 600, 1200 (plus at most a poll interval and some slack).
    const observed = gaps(attempts.map((a) => a.at));
    [300, 600, 1200].forEach((expected, i) => {
      expect(observed[i]).toBeGreaterThanOrEqual(expected - 20);
      expect(observed[i]).toBeLessThan(expected + 450);
    });
    expect(outcomes.map((o) => [o.attempt, o.ok, o.willRetry])).toEqual([
      [1, false, true],
      [2, false, true],
      [3, false, true],
      [4, false, false],
    ]);
    expect(outcomes[3]!.error?.message).toBe('boom 4');
    // Only the recurring document is left.
    expect((await agendaRows('k-retry')).map((r) => r.data.trigger)).toEqual(['schedule']);
  });

  it('skips retries for a non-retryable error', async () => {
    const outcomes: RunFinished[] = [];
    const s = scheduler({ onRunFinished: (o) => void outcomes.push(o) });
    let runs = 0;
    s.define('k-fatal', async () => {
      runs++;
      throw new NonRetryableError('credentials revoked');
    });
    await s.start();
    await s.scheduleIntegrationJobs({
      integrationId: 'i-6',
      kind: 'k-fatal',
      jobs: [
        {
          jobId: 'orders',
          intervalMs: 3_600_000,
          retry: { attempts: 6, backoff: 'fixed', initialDelayMs: 100, maxDelayMs: 100 },
        },
      ],
    });
    await waitFor('the run', () => outcomes.length === 1);
    await sleep(800);
    expect(runs).toBe(1);
    expect(outcomes[0]).toMatchObject({ ok: false, willRetry: false, attempt: 1 });
    expect(outcomes[0]!.error).toBeInstanceOf(NonRetryableError);
  });

  it('stop() waits for a running job to finish, then releases its lock', async () => {
    const s = scheduler();
    let finished = false;
    let aborted = false;
    s.define('k-drain', async ({ signal }) => {
      await sleep(1200);
      aborted = signal.aborted;
      finished = true;
    });
    await s.start();
    await s.scheduleIntegrationJobs({
      integrationId: 'i-7',
      kind: 'k-drain',
      jobs: [{ jobId: 'orders', intervalMs: 3_600_000, retry: RETRY_NONE }],
    });
    await waitFor('the run to lock its job', async () => (await agendaRows('k-drain'))[0]?.locked_at != null);
    await sleep(200);
    expect(finished).toBe(false);
    await s.stop({ drainTimeoutMs: 5000 });
    expect(finished).toBe(true);
    expect(aborted).toBe(false);
    expect((await agendaRows('k-drain'))[0]!.locked_at).toBeNull();
  });

  it('stop() aborts the signal of a job that outlives the drain timeout', async () => {
    const s = scheduler();
    let sawAbort = false;
    let started = false;
    s.define('k-abort', async ({ signal }) => {
      started = true;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      sawAbort = true;
    });
    await s.start();
    await s.scheduleIntegrationJobs({
      integrationId: 'i-8',
      kind: 'k-abort',
      jobs: [{ jobId: 'orders', intervalMs: 3_600_000, retry: RETRY_NONE }],
    });
    await waitFor('the run', () => started);
    const stopping = Date.now();
    await s.stop({ drainTimeoutMs: 300 });
    expect(sawAbort).toBe(true);
    expect(Date.now() - stopping).toBeLessThan(3000);
  });

  it('keeps the lock of a long job alive, so another scheduler on the database does not take it', async () => {
    const lockLifetime = { defaultLockLifetimeMs: 600 };
    const a = scheduler(lockLifetime);
    const b = scheduler(lockLifetime);
    const starts: string[] = [];
    let running = false;
    let overlap = false;
    for (const [name, s] of [
      ['a', a],
      ['b', b],
    ] as const) {
      s.define('k-long', async () => {
        if (running) overlap = true;
        running = true;
        starts.push(name);
        await sleep(2500); // > 4 lock lifetimes
        running = false;
      });
    }
    await a.start();
    await a.scheduleIntegrationJobs({
      integrationId: 'i-9',
      kind: 'k-long',
      jobs: [{ jobId: 'orders', intervalMs: 3_600_000, retry: RETRY_NONE }],
    });
    await waitFor('the long run', () => running);
    await b.start();
    const staleness: number[] = [];
    while (running) {
      const lockedAt = (await agendaRows('k-long'))[0]?.locked_at;
      if (lockedAt && running) staleness.push(Date.now() - new Date(lockedAt).getTime());
      await sleep(100);
    }
    await sleep(300);
    expect(starts).toEqual(['a']);
    expect(overlap).toBe(false);
    expect(staleness.length).toBeGreaterThan(10);
    expect(Math.max(...staleness)).toBeLessThan(600);
    // b's Agenda never got hold of the document (it would have found the run lock taken).
    expect(b.logger.entries.filter((e) => /skipped|deferred/.test(e.msg))).toEqual([]);
  });

  it('runNow joins a queued run and queues after a running one: never two runs at once', async () => {
    const s = scheduler();
    const runs: { trigger: string; start: number; end: number }[] = [];
    let active = 0;
    let maxActive = 0;
    s.define('k-manual', async ({ trigger }) => {
      active++;
      maxActive = Math.max(maxActive, active);
      const start = Date.now();
      await sleep(700);
      runs.push({ trigger, start, end: Date.now() });
      active--;
    });
    await s.start();
    await s.scheduleIntegrationJobs({
      integrationId: 'i-10',
      kind: 'k-manual',
      jobs: [{ jobId: 'orders', intervalMs: 3_600_000, retry: RETRY_NONE }],
    });
    await waitFor('the scheduled run', () => active === 1);
    const first = await s.runNow({
      integrationId: 'i-10',
      jobId: 'orders',
      trigger: 'manual',
      kind: 'k-manual',
    });
    const second = await s.runNow({
      integrationId: 'i-10',
      jobId: 'orders',
      trigger: 'webhook',
      kind: 'k-manual',
    });
    expect(first.joined).toBe(false);
    expect(second).toEqual({ runId: first.runId, joined: true });
    await waitFor('two runs', () => runs.length === 2, 5000);
    await sleep(500);
    expect(runs.map((r) => r.trigger)).toEqual(['schedule', 'manual']);
    expect(runs[1]!.start).toBeGreaterThanOrEqual(runs[0]!.end);
    expect(maxActive).toBe(1);
    // Once that run finished, a new request queues a new run.
    const third = await s.runNow({
      integrationId: 'i-10',
      jobId: 'orders',
      trigger: 'manual',
      kind: 'k-manual',
    });
    expect(third.joined).toBe(false);
    await waitFor('the third run', () => runs.length === 3, 5000);
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
