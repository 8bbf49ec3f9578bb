import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type FakeMarketplace } from './fixtures/plugins/fixture-sync/sandbox/index.ts';
import { join } from 'node:path';
import { startTestHost, type TestActor, type TestHost } from './support/test-host.ts';

const REGISTRY = join(import.meta.dirname, 'fixtures', 'plugins', 'sync.registry.json');

interface Run {
  status: string;
  error: string | null;
  attempt: number;
  counts: Record<string, number>;
}

describe('sync engine failure policy (seed: 6 retries with backoff, disable after 5 failed runs)', () => {
  let host: TestHost;
  let fake: FakeMarketplace;
  let user: TestActor;
  let id: string;

  const syncAndWait = async (): Promise<Run> => {
    const { runId } = await user.trpc.integrations.sync.mutate({ id });
    for (let i = 0; i < 600; i++) {
      const run = (await user.trpc.integrations.run.query({ runId })) as Run;
      if (run.status === 'succeeded' || run.status === 'failed') {
        // The final outcome (after retries) is recorded when the scheduler reports it.
        await new Promise((r) => setTimeout(r, 400));
        return await user.trpc.integrations.run.query({ runId });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('run did not finish');
  };

  beforeAll(async () => {
    fake = await startSandbox();
    const overrides = new Map([['fixture-sync', { FIXTURE_SYNC_URL: fake.url }]]);
    host = await startTestHost({
      registryPath: REGISTRY,
      role: 'all',
      configOverrides: overrides,
      schedulerPollMs: 100,
    });
    const tenant = await host.createTenant();
    user = await host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
    ({ id } = await user.trpc.integrations.create.mutate({
      pluginId: 'fixture-sync',
      label: 'policy',
      settings: { username: 'fixture', password: 'fixture-secret' },
    }));
  });
  afterAll(async () => {
    await host?.stop();
    await fake?.close();
  });

  it('a healthy run imports orders and resets nothing', async () => {
    const run = await syncAndWait();
    expect(run.status).toBe('succeeded');
    const { invoices } = await user.trpc.invoices.list.query({ integrationId: id });
    expect(invoices).toHaveLength(3);
  });

  it('retries a failing run, then counts it; five failed runs disable the integration with the reason', async () => {
    fake.setMode('fail');
    for (let n = 1; n <= 5; n++) {
      const before = fake.requests();
      await syncAndWait();
      // Wait for the retries of this run to finish before the next manual run.
      for (let i = 0; i < 100; i++) {
        const status = await user.trpc.integrations.get.query({ id });
        if (status.consecutiveFailures >= n) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      // The run and its 2 retries (manifest `retry.attempts`), one request each.
      expect(fake.requests() - before).toBe(3);
    }
    const status = await user.trpc.integrations.get.query({ id });
    expect(status.consecutiveFailures).toBe(5);
    expect(status.status).toBe('disabled');
    expect(status.statusReason).toMatch(/5 consecutive failed syncs/);
    expect(status.lastSyncError).toMatch(/503/);
  });

  it('re-enabling resets the counter and syncs again', async () => {
    fake.setMode('ok');
    await user.trpc.integrations.enable.mutate({ id });
    const enabled = await user.trpc.integrations.get.query({ id });
    expect(enabled.consecutiveFailures).toBe(0);
    expect(enabled.status).toBe('active');
    expect((await syncAndWait()).status).toBe('succeeded');
  });

  it('refused credentials mark the integration "needs re-auth" without retrying', async () => {
    fake.setMode('unauthorized');
    const before = fake.requests();
    const run = await syncAndWait();
    expect(run.status).toBe('failed');
    const status = await user.trpc.integrations.get.query({ id });
    expect(status.status).toBe('needs_reauth');
    expect(status.statusReason).toMatch(/refused the credentials/);
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.requests() - before).toBe(1);
    expect(fake.unexpected()).toEqual([]);
  });

  it('disconnecting an invoiced account erases its secrets and keeps its history; connecting it again resumes it with nothing issued twice', async () => {
    fake.setMode('ok');
    const before = await user.trpc.invoices.list.query({ integrationId: id });
    expect(before.total).toBeGreaterThan(0);
    const pool = host.database.db.pool;
    const scheduled = async () =>
      (
        await pool.query(
          `select 1 from agenda_jobs where data->>'integrationId' = $1 and data->>'trigger' = 'schedule'`,
          [id],
        )
      ).rows.length;
    expect(await scheduled()).toBeGreaterThan(0);
    expect(await user.trpc.integrations.remove.mutate({ id })).toEqual({ success: true, kept: true });
    expect((await pool.query('select 1 from credentials where integration_id = $1', [id])).rows).toEqual([]);
    const gone = await user.trpc.integrations.status.query({ id });
    expect(gone).toMatchObject({ status: 'disabled', disconnected: true });
    expect(gone.healthReason).toMatch(
      /passwords and sign-in are erased; its invoices and its record of invoiced orders are kept/,
    );
    // No schedule left, and "Enable" cannot bring it back without credentials.
    expect(await scheduled()).toBe(0);
    await expect(user.trpc.integrations.enable.mutate({ id })).rejects.toThrow(
      /disconnected and its passwords erased: connect .* again with the same account's credentials/,
    );
    // Its invoices stay listed.
    expect((await user.trpc.invoices.list.query({ integrationId: id })).total).toBe(before.total);

    // The same account connected again: the same integration, its ledger intact.
    const again = await user.trpc.integrations.create.mutate({
      pluginId: 'fixture-sync',
      label: 'policy',
      settings: { username: 'fixture', password: 'fixture-secret' },
    });
    expect(again.id).toBe(id);
    expect((await user.trpc.integrations.status.query({ id })).disconnected).toBe(false);
    expect(await scheduled()).toBeGreaterThan(0);
    expect((await syncAndWait()).status).toBe('succeeded');
    const after = await user.trpc.invoices.list.query({ integrationId: id });
    expect(after.total).toBe(before.total);
  });
});
