// Health per job (issue 13), through the real server, scheduler and database: with the orders sync
// failing on every retry, the upload job succeeding with nothing to do no longer flips the account
// back to healthy; each job keeps its own failures in a row, last error and last success; a run and
// its retries are one row with its attempts; the manifest's per-job `disableAfterFailures` (3 here)
// switches the account off naming the job.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunRecords } from '../src/sync/run-records.ts';
import { startSandbox, type FakeMarketplace } from './fixtures/plugins/fixture-jobs/sandbox/index.ts';
import { startTestHost, type TestActor, type TestHost } from './support/test-host.ts';

const REGISTRY = join(import.meta.dirname, 'fixtures', 'plugins', 'jobs.registry.json');

interface Run {
  id: string;
  jobId: string;
  status: string;
  attempt: number;
  attemptErrors: { attempt: number; error: string }[];
  error: string | null;
}

describe('health per job (issue 13)', () => {
  let host: TestHost;
  let fake: FakeMarketplace;
  let user: TestActor;
  let id: string;

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const status = () => user.trpc.integrations.status.query({ id });
  const job = async (jobId: string) => (await status()).jobs.find((j) => j.jobId === jobId)!;

  /** Runs a job now and waits for the run (with its retries) to end and its health to be written. */
  const runJob = async (jobId: string): Promise<Run> => {
    const before = (await job(jobId)).lastRunAt;
    const { runId } = await user.trpc.integrations.sync.mutate({ id, jobId });
    for (let i = 0; i < 400; i++) {
      const run = (await user.trpc.integrations.run.query({ runId })) as Run;
      const after = (await job(jobId)).lastRunAt;
      if (['succeeded', 'failed'].includes(run.status) && after !== before) return run;
      await sleep(50);
    }
    throw new Error(`the ${jobId} run did not finish`);
  };

  beforeAll(async () => {
    fake = await startSandbox();
    host = await startTestHost({
      registryPath: REGISTRY,
      role: 'all',
      configOverrides: new Map([['fixture-jobs', { FIXTURE_SYNC_URL: fake.url }]]),
      schedulerPollMs: 100,
    });
    const tenant = await host.createTenant();
    user = await host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
    ({ id } = await user.trpc.integrations.create.mutate({
      pluginId: 'fixture-jobs',
      label: 'Shop',
      settings: { username: 'fixture', password: 'fixture-secret' },
    }));
  });
  afterAll(async () => {
    await host?.stop();
    await fake?.close();
  });

  it('lists every job of the manifest with its own limit, each healthy after a success', async () => {
    // Both jobs also tick once when scheduled, so each has not run yet or has just worked.
    const first = await status();
    expect(first.jobs.map((j) => [j.title, j.disableAfter])).toEqual([
      ['Sync orders', 3],
      ['Upload invoices', 5],
    ]);
    for (const j of first.jobs) expect(['not_run', 'healthy']).toContain(j.health);
    expect((await runJob('sync-orders')).status).toBe('succeeded');
    expect((await runJob('upload-invoices')).status).toBe('succeeded');
    const healthy = await status();
    expect(healthy.health).toBe('healthy');
    expect(healthy.healthReason).toBe('Every job works.');
    expect(healthy.jobs.map((j) => j.health)).toEqual(['healthy', 'healthy']);
  });

  it("one job's success does not clear another's failure; a run and its retries are one row", async () => {
    fake.setMode('fail');
    const before = fake.requests();
    const failed = await runJob('sync-orders');
    // The first attempt and the manifest's 2 retries: one row, three attempts, each error kept.
    expect(fake.requests() - before).toBe(3);
    expect(failed).toMatchObject({ status: 'failed', attempt: 3 });
    expect(failed.attemptErrors.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(failed.error).toMatch(/answered 503/);
    const runs = (await user.trpc.integrations.runs.query({ id, limit: 50 })) as Run[];
    // One failed row: not one per attempt (the earlier successes are the first tick and the run above).
    expect(runs.filter((r) => r.jobId === 'sync-orders' && r.status !== 'succeeded')).toEqual([failed]);

    // The upload job succeeds with nothing to do: the account stays failing, with the orders' error.
    expect((await runJob('upload-invoices')).status).toBe('succeeded');
    const after = await status();
    expect(after.status).toBe('degraded');
    expect(after.health).toBe('failing');
    expect(after.consecutiveFailures).toBe(1);
    expect(after.lastSyncError).toMatch(/^Sync orders: .*answered 503/);
    expect(after.healthReason).toMatch(/^Sync orders failed once in a row/);
    const [orders, upload] = after.jobs;
    expect(orders).toMatchObject({ health: 'failing', consecutiveFailures: 1, failedRuns: 1 });
    expect(orders!.lastError).toMatch(/answered 503/);
    expect(upload).toMatchObject({ health: 'healthy', consecutiveFailures: 0, lastError: null });
    expect(Date.parse(upload!.lastSuccessAt!)).toBeGreaterThan(Date.parse(orders!.lastSuccessAt!));
    // The integration's last success is when the failing job last worked, not the upload's.
    expect(after.lastSuccessAt).toBe(orders!.lastSuccessAt);
    const [listed] = await user.trpc.integrations.list.query();
    expect(listed).toMatchObject({ health: 'failing', consecutiveFailures: 1 });
  });

  it("switches the account off after the job's own limit of failed runs in a row, naming the job", async () => {
    await runJob('sync-orders');
    expect((await runJob('upload-invoices')).status).toBe('succeeded');
    expect((await job('sync-orders')).consecutiveFailures).toBe(2);
    expect((await status()).status).toBe('degraded');
    await runJob('sync-orders');

    const off = await status();
    expect(off.status).toBe('disabled');
    expect(off.health).toBe('disabled');
    expect(off.consecutiveFailures).toBe(3);
    expect(off.statusReason).toMatch(
      /^Switched off because Sync orders had 3 consecutive failed syncs\. Last error: .*answered 503/,
    );
    expect(off.healthReason).toBe(
      `${off.statusReason} Nothing runs until it is enabled again: fix the cause, then enable it.`,
    );
    expect(off.jobs.map((j) => [j.jobId, j.health, j.consecutiveFailures])).toEqual([
      ['sync-orders', 'failing', 3],
      ['upload-invoices', 'healthy', 0],
    ]);
    const runs = (await user.trpc.integrations.runs.query({ id, limit: 50 })) as Run[];
    const orderRuns = runs.filter((r) => r.jobId === 'sync-orders');
    expect(orderRuns.filter((r) => r.status !== 'succeeded').map((r) => `${r.status}/${r.attempt}`)).toEqual([
      'failed/3',
      'failed/3',
      'failed/3',
    ]);
    // Nothing is left waiting for a retry once the account is off.
    expect(runs.some((r) => r.status === 'retrying' || r.status === 'running')).toBe(false);
  });

  it('enabling again starts every job from a clean count', async () => {
    fake.setMode('ok');
    await user.trpc.integrations.enable.mutate({ id });
    const enabled = await status();
    expect(enabled.status).toBe('active');
    expect(enabled.jobs.map((j) => j.consecutiveFailures)).toEqual([0, 0]);
    expect((await runJob('sync-orders')).status).toBe('succeeded');
    const healthy = await status();
    expect(healthy).toMatchObject({ health: 'healthy', consecutiveFailures: 0, lastSyncError: null });
    expect(healthy.jobs[0]!.failedRuns).toBe(3);
  });

  it('keeps one row per run across attempts: a retry takes up its run, a tick between retries joins it', async () => {
    const records = new RunRecords(host.database.db.pool);
    const tenantId = (
      await host.database.db.pool.query<{ tenant_id: string }>(
        'select tenant_id from integrations where id = $1',
        [id],
      )
    ).rows[0]!.tenant_id;
    const base = { tenantId, integrationId: id, jobId: 'chain-test' };
    const first = await records.start({ ...base, trigger: 'schedule', attempt: 1 });
    await records.finish({
      runId: first,
      status: 'retrying',
      counts: {},
      error: 'down',
      nextAttemptAt: new Date(),
    });
    const retry = await records.start({ ...base, trigger: 'retry', attempt: 2 });
    expect(retry).toBe(first);
    await records.finish({ runId: retry, status: 'retrying', counts: {}, error: 'still down' });
    // A scheduled tick while the retry waits is one more attempt of the same run.
    const tick = await records.start({ ...base, trigger: 'schedule', attempt: 1 });
    expect(tick).toBe(first);
    await records.finish({ runId: tick, status: 'succeeded', counts: { orders: 2 } });
    const { rows } = await host.database.db.pool.query<{
      status: string;
      attempt: number;
      attempt_errors: { error: string }[];
      finished_at: Date | null;
    }>('select status, attempt, attempt_errors, finished_at from sync_runs where job_id = $1', [
      'chain-test',
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'succeeded', attempt: 3 });
    expect(rows[0]!.attempt_errors.map((a) => a.error)).toEqual(['down', 'still down']);
    expect(rows[0]!.finished_at).not.toBeNull();
  });

  it('a refused authorization is not a failure of the job: the account needs re-auth, the job keeps the error but no failure in a row', async () => {
    fake.setMode('ok');
    expect((await runJob('sync-orders')).status).toBe('succeeded');
    fake.setMode('unauthorized');
    const refused = await runJob('sync-orders');
    expect(refused).toMatchObject({ status: 'failed', attempt: 1 });
    const waiting = await status();
    expect(waiting.status).toBe('needs_reauth');
    const orders = waiting.jobs.find((j) => j.jobId === 'sync-orders')!;
    expect(orders).toMatchObject({ consecutiveFailures: 0, health: 'healthy' });
    expect(orders.lastError).toMatch(/refused the credentials/);
    // Reconnected (the lifecycle's transition back to active): nothing of the refusal is held
    // against the account — before, its failure in a row left it "failing" until the job ran again.
    await host.database.db.pool.query(
      `update integrations set status = 'active', status_reason = null where id = $1`,
      [id],
    );
    expect(await status()).toMatchObject({ status: 'active', health: 'healthy', consecutiveFailures: 0 });
    fake.setMode('ok');
  });
});
