// Allegro end to end (issue "Allegro plugin"): orders/s from a 100 000-order sandbox into invoices
// through the real host (HTTP, plugin, mappings, ledger, database) with the sandbox's limit off,
// beside the plain batched-SQL insert of the same rows (ratio); and, with Allegro's real limit on,
// the sync time of 2 000 new orders as a multiple of the minimum that limit allows.
import type { TestActor } from '../host/test/support/test-host.ts';
import {
  connectAccount,
  sandboxState,
  startAllegroWorld,
  type AllegroWorld,
} from '../plugins/allegro/test/support.ts';
import { plainInsertRate } from './support/plain-insert.ts';
import type { Bench, BenchRow } from './types.ts';

interface Run {
  id: string;
  jobId: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

async function syncRun(user: TestActor, integrationId: string): Promise<Run> {
  const { body } = await user.rest<{ runId: string }>(`/api/v1/allegro/sync/${integrationId}`, {
    method: 'POST',
    body: {},
  });
  for (;;) {
    const run = (await user.trpc.integrations.run.query({ runId: body.runId })) as Run;
    if (run.status === 'succeeded' || run.status === 'failed') {
      if (run.status === 'failed') throw new Error(`sync failed: ${run.error}`);
      return run;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function setUp(options: Parameters<typeof startAllegroWorld>[0]) {
  const world = await startAllegroWorld({ ...options, extra: { accounts: 1, ...options.extra } });
  const tenant = await world.host.createTenant();
  const user = await world.host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
  const id = await connectAccount(user, 0);
  return { world, user, id };
}

const seconds = (run: Run) => (Date.parse(run.finishedAt!) - Date.parse(run.startedAt)) / 1000;

async function throughput(orders: number): Promise<BenchRow[]> {
  let world: AllegroWorld | undefined;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  try {
    const baseRss = process.memoryUsage().rss;
    const setup = await setUp({ orders, rateLimit: false, seed: 'bench' });
    world = setup.world;
    // The sandbox's limit is off; lift the client-side budget the same way (config override).
    world.overrides.set('allegro', {
      ...world.overrides.get('allegro')!,
      ALLEGRO_RATE_LIMIT_PER_MINUTE: '100000000',
    });
    const run = await syncRun(setup.user, setup.id);
    const { rows } = await world.host.database.db.pool.query<{ n: string }>(
      'select count(*) as n from invoices where integration_id = $1',
      [setup.id],
    );
    const invoices = Number(rows[0]!.n);
    const rate = orders / seconds(run);
    const baseline = await plainInsertRate({ db: world.host.database.db, orders: Math.min(orders, 20_000) });
    return [
      {
        bench: 'allegro',
        metric: `sync ${orders} orders → ${invoices} invoices (limit off)`,
        value: rate,
        unit: 'orders/s',
        baseline,
        ratio: rate / baseline,
        target: '>= 2000 orders/s',
        pass: rate >= 2000,
        note: `baseline: plain batched SQL insert of the same rows (${world.host.database.db.kind}); ${seconds(run).toFixed(1)} s`,
      },
      {
        bench: 'allegro',
        metric: 'peak RSS during that sync (host + sandbox in one process)',
        value: (peak - baseRss) / 1024 / 1024,
        unit: 'MB over start',
        note: `absolute peak ${(peak / 1024 / 1024).toFixed(0)} MB`,
      },
    ];
  } finally {
    clearInterval(sampler);
    await world?.stop();
  }
}

async function limited(newOrders: number): Promise<BenchRow[]> {
  const { world, user, id } = await setUp({ orders: 0, seed: 'bench-limit' });
  try {
    await syncRun(user, id); // the first run sweeps (nothing) and starts the event cursor
    const response = await fetch(`${world.sandbox.controlUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: newOrders, account: 0 }),
    });
    if (response.status !== 201) throw new Error(`adding orders: ${response.status}`);
    const before = await sandboxState(world.sandbox);
    const run = await syncRun(user, id);
    const after = await sandboxState(world.sandbox);
    const count = (s: typeof before) =>
      Object.entries(s.requests)
        .filter(([route]) => !route.startsWith('POST /auth') && !route.includes('/invoices'))
        .reduce((n, [, c]) => n + c, 0);
    const requests = count(after) - count(before);
    // Allegro: 9000 requests per minute per client id (reference/README.md "Limits").
    const minimum = requests / (9000 / 60);
    return [
      {
        bench: 'allegro',
        metric: `sync ${newOrders} new orders, real limit on (${requests} requests)`,
        value: seconds(run),
        unit: 's',
        baseline: minimum,
        ratio: seconds(run) / minimum,
        target: 'ratio <= 1.1',
        pass: seconds(run) / minimum <= 1.1,
        note: `breaches: ${after.breaches}`,
      },
    ];
  } finally {
    await world.stop();
  }
}

export default (async ({ quick }) => [
  ...(await throughput(quick ? 3000 : 100_000)),
  ...(await limited(quick ? 300 : 2000)),
]) satisfies Bench;
