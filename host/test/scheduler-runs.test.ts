import { describe, expect, it } from 'vitest';
import { JobTimeoutError, NonRetryableError, type RunFinished } from '../src/scheduler/index.ts';
import { gaps, useSchedulerHarness } from './fixtures/scheduler-harness.ts';
import { RETRY_NONE, sleep, waitFor } from './fixtures/scheduler-helpers.ts';

// Real database (embedded PGlite without DATABASE_URL, a fresh PostgreSQL database with it), real
// Agenda, accelerated intervals.
describe('scheduler: runs', () => {
  const { scheduler, agendaRows } = useSchedulerHarness();

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
});
