import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type FakeShop } from './fixtures/plugins/fixture-pull/sandbox/index.ts';
import { startTestHost, type TestActor, type TestHost } from './support/test-host.ts';

const REGISTRY = join(import.meta.dirname, 'fixtures', 'plugins', 'pull.registry.json');

interface Run {
  status: string;
  error: string | null;
  counts: Record<string, number>;
}

/**
 * A manifest `pull` job (issue 14) against a WooCommerce-like shop over real HTTP: the host pages,
 * maps and keeps the cursor with no plugin code.
 */
describe('declarative pull jobs', () => {
  let host: TestHost;
  let shop: FakeShop;
  let user: TestActor;
  let id: string;

  const syncAndWait = async (): Promise<Run> => {
    const { runId } = await user.trpc.integrations.sync.mutate({ id });
    for (let i = 0; i < 600; i++) {
      const run = (await user.trpc.integrations.run.query({ runId })) as Run;
      if (run.status === 'succeeded' || run.status === 'failed') {
        await new Promise((r) => setTimeout(r, 300));
        return await user.trpc.integrations.run.query({ runId });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('run did not finish');
  };
  /** The run the schedule started when the account was connected, once it has finished. */
  const scheduledRun = async (): Promise<Run> => {
    for (let i = 0; i < 600; i++) {
      const { rows } = await host.database.db.pool.query<Run>(
        `select status, error, counts from sync_runs where integration_id = $1 and trigger = 'schedule'`,
        [id],
      );
      const run = rows[0];
      if (run && (run.status === 'succeeded' || run.status === 'failed')) return run;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the scheduled run did not finish');
  };
  const cursor = async () =>
    (
      await host.database.db.pool.query<{ value: unknown }>(
        'select value from cursors where integration_id = $1 and key = $2',
        [id, 'pull:sync-orders:cursor'],
      )
    ).rows[0]?.value;
  const invoices = async () => {
    const { rows } = await host.database.db.pool.query<{ all: string; orders: string }>(
      'select count(*) as all, count(distinct external_order_id) as orders from invoices where integration_id = $1',
      [id],
    );
    return { all: Number(rows[0]!.all), orders: Number(rows[0]!.orders) };
  };

  beforeAll(async () => {
    shop = await startSandbox();
    shop.addOrders(250, '2026-11-01T00:00:00');
    host = await startTestHost({
      registryPath: REGISTRY,
      role: 'all',
      configOverrides: new Map([['fixture-pull', { FIXTURE_PULL_URL: shop.url }]]),
      schedulerPollMs: 100,
    });
    const tenant = await host.createTenant();
    user = await host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
    ({ id } = await user.trpc.integrations.create.mutate({
      pluginId: 'fixture-pull',
      label: 'shop',
      settings: { consumerKey: 'ck_fixture', consumerSecret: 'cs_fixture' },
    }));
  });
  afterAll(async () => {
    await host?.stop();
    await shop?.close();
  });

  it('reads 250 orders in pages of 100, stopping at X-WP-TotalPages, into 250 invoices', async () => {
    // Connecting the account schedules the job, whose first run starts at once.
    const first = await scheduledRun();
    expect(first).toMatchObject({ status: 'succeeded', error: null, counts: { pages: 3, created: 250 } });
    expect(shop.requests()).toEqual(
      [1, 2, 3].map((page) => ({
        per_page: '100',
        orderby: 'modified',
        order: 'asc',
        status: 'completed',
        modified_after: '2020-01-01T00:00:00',
        page: String(page),
      })),
    );
    expect(await invoices()).toEqual({ all: 250, orders: 250 });
    // Order 250 was modified at 04:09:00; the cursor keeps a minute's overlap.
    expect(await cursor()).toBe('2026-11-01T04:08:00');
  });

  it('reads only what changed since the cursor (minus the lookback), with no duplicate invoices', async () => {
    const before = shop.requests().length;
    shop.modify([5, 6, 7], '2026-11-02T08:00:00');
    const run = await syncAndWait();
    expect(run).toMatchObject({ status: 'succeeded', counts: { pages: 1, unchanged: 1, updated: 3 } });
    const requests = shop.requests().slice(before);
    expect(requests).toEqual([expect.objectContaining({ modified_after: '2026-11-01T04:08:00', page: '1' })]);
    // The overlap brings order 250 again; the upsert is idempotent on id + revision.
    expect(shop.sent().slice(-4)).toEqual([250, 5, 6, 7]);
    expect(await invoices()).toEqual({ all: 250, orders: 250 });
    expect(await cursor()).toBe('2026-11-02T07:59:02');
  });

  it('a run whose page 2 fails does not move the cursor; the next run loses nothing', async () => {
    shop.addOrders(150, '2026-11-03T00:00:00');
    // The first answer and the host's three retries of an idempotent read (plugin-http.ts).
    shop.failPage(2, 4);
    const failed = await syncAndWait();
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe(
      'The marketplace answered 500 to page 2 of GET /wp-json/wc/v3/orders; the run will be tried again from the same cursor.',
    );
    expect(await cursor()).toBe('2026-11-02T07:59:02');
    // Page 1 (orders 5, 6, 7 again and 97 new ones) was imported before page 2 failed.
    expect(await invoices()).toEqual({ all: 347, orders: 347 });

    const recovered = await syncAndWait();
    expect(recovered.status).toBe('succeeded');
    expect(await invoices()).toEqual({ all: 400, orders: 400 });
    // Order 400 was modified at 02:29:00 on 3 November.
    expect(await cursor()).toBe('2026-11-03T02:28:00');
    expect(shop.unexpected()).toEqual([]);
  });
});
