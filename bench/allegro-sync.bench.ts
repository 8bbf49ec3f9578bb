// Allegro end to end (issue "Allegro plugin"): orders/s from a 100 000-order sandbox into invoices
// through the real host (HTTP, plugin, mappings, ledger, database) with the sandbox's limit off,
// beside the plain batched-SQL insert of the same rows (ratio); and, with Allegro's real limit on,
// the sync time of 2 000 new orders as a multiple of the minimum that limit allows.
import { join } from 'node:path';
import { startTestHost, type TestActor } from '../host/test/support/test-host.ts';
import {
  connectAccount,
  ROOT_REGISTRY,
  sandboxConfig,
  sandboxState,
  startAllegroWorld,
} from '../plugins/allegro/test/support.ts';
import { plainInsertRate } from './support/plain-insert.ts';
import { sandboxProcess } from './support/sandbox-process.ts';
import type { Bench, BenchRow } from './types.ts';

const SANDBOX = join(import.meta.dirname, '..', 'plugins', 'allegro', 'sandbox', 'index.ts');

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

/** The host as deployed: logs at `info` (tests log `debug` into memory), render threads started. */
const PRODUCTION_LIKE = {
  role: 'all',
  schedulerPollMs: 200,
  logLevel: 'info',
  warmPdfRenderer: true,
} as const;

async function setUp(options: Parameters<typeof startAllegroWorld>[0]) {
  const world = await startAllegroWorld({
    ...options,
    extra: { accounts: 1, ...options.extra },
    host: PRODUCTION_LIKE,
  });
  const tenant = await world.host.createTenant();
  const user = await world.host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
  const id = await connectAccount(user, 0);
  return { world, user, id };
}

/** Seconds from the first `sync-orders` run's start to the last one's end, once none is pending. */
async function importSpan(user: TestActor, integrationId: string): Promise<number> {
  for (;;) {
    const runs = (
      (await user.trpc.integrations.runs.query({ id: integrationId, limit: 20 })) as Run[]
    ).filter((r) => r.jobId === 'sync-orders');
    if (runs.length && runs.every((r) => r.status === 'succeeded' || r.status === 'failed')) {
      const start = Math.min(...runs.map((r) => Date.parse(r.startedAt)));
      const end = Math.max(...runs.map((r) => Date.parse(r.finishedAt!)));
      return (end - start) / 1000;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const seconds = (run: Run) => (Date.parse(run.finishedAt!) - Date.parse(run.startedAt)) / 1000;

async function throughput(orders: number): Promise<BenchRow[]> {
  const overrides = new Map<string, Record<string, string>>();
  const host = await startTestHost({
    registryPath: ROOT_REGISTRY,
    configOverrides: overrides,
    ...PRODUCTION_LIKE,
  });
  let sandbox: Awaited<ReturnType<typeof sandboxProcess>> | undefined;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  try {
    const baseRss = process.memoryUsage().rss;
    // In its own process, as Allegro is: its page building does not run on the host's event loop.
    sandbox = await sandboxProcess(SANDBOX, {
      orders,
      seed: 'bench',
      redirectUri: `${host.url}/api/v1/allegro/auth/callback`,
      rateLimit: false,
    });
    overrides.set('allegro', {
      ...sandboxConfig(sandbox),
      // The sandbox's limit is off; lift the client-side budget the same way (config override).
      ALLEGRO_RATE_LIMIT_PER_MINUTE: '100000000',
    });
    const tenant = await host.createTenant();
    const user = await host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
    const id = await connectAccount(user, 0);
    // Connecting schedules the import, which starts at once; "sync now" queues behind it. The
    // import's time is from the first sync run's start to the last one's end.
    await syncRun(user, id);
    const span = await importSpan(user, id);
    const { rows } = await host.database.db.pool.query<{ n: string }>(
      'select count(*) as n from invoices where integration_id = $1',
      [id],
    );
    const invoices = Number(rows[0]!.n);
    const rate = orders / span;
    const baseline = await plainInsertRate({ db: host.database.db, orders: Math.min(orders, 20_000) });
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
        note: `baseline: plain batched SQL insert of the same rows (${host.database.db.kind}); ${span.toFixed(1)} s; sandbox in its own process`,
      },
      {
        bench: 'allegro',
        metric: 'peak RSS of the host process during that sync',
        value: (peak - baseRss) / 1024 / 1024,
        unit: 'MB over start',
        note: `absolute peak ${(peak / 1024 / 1024).toFixed(0)} MB`,
      },
    ];
  } finally {
    clearInterval(sampler);
    await host.stop();
    await sandbox?.close();
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
