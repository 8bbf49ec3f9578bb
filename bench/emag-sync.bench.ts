// eMAG plugin end to end (real host, real sandbox over HTTP, the plugin's own manifest and hooks):
// 1. Limits on: one account's first sync of N orders — reads, acknowledgements and attachments all
//    count against eMAG's 12 req/s order budget. Reported as a multiple of the minimum time the
//    limits allow for the requests made (target ≤ 1.1), with breaches (target 0) and peak RSS.
// 2. Limits off: orders/s of the sync without attachments (read, acknowledge, re-read, map,
//    import), beside a plain batched-SQL baseline inserting the same rows (ratio).
// The sandbox runs in its own process, as eMAG does. Database: DATABASE_URL if set (PostgreSQL), else
// embedded PGlite.
import { join } from 'node:path';
import { emagConfig, ROMANIAN_SELLER, sandboxState } from '../plugins/emag/test/support.ts';
import { startTestHost, type TestActor, type TestHost } from '../host/test/support/test-host.ts';
import { sandboxProcess } from './support/sandbox-process.ts';
import type { Bench, BenchRow } from './types.ts';

const REGISTRY = join(import.meta.dirname, '..', 'plugin.manifest.json');
const SANDBOX = join(import.meta.dirname, '..', 'plugins', 'emag', 'sandbox', 'index.ts');
const ORDER_LIMIT = 12;
const OTHER_LIMIT = 3;

interface Run {
  jobId: string;
  status: string;
  counts: Record<string, number>;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

async function finishedRun(user: TestActor, id: string, timeoutMs: number): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = (await user.trpc.integrations.runs.query({ id })) as Run[];
    const run = runs.find((r) => r.jobId === 'sync-orders' && r.finishedAt);
    if (run) return run;
    if (Date.now() > deadline) throw new Error(`no finished sync-orders run within ${timeoutMs} ms`);
    // The run's own start and finish times are measured, not this poll's: poll gently.
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function world(orders: number, rateLimit: boolean) {
  const overrides = new Map<string, Record<string, string>>();
  const host: TestHost = await startTestHost({
    registryPath: REGISTRY,
    role: 'all',
    configOverrides: overrides,
    schedulerPollMs: 200,
    // As a production host: render threads started with the host, not by the first download, and
    // logs at `info` (the test default, `debug` into memory, costs the host CPU per request).
    warmPdfRenderer: true,
    logLevel: 'info',
  });
  // In its own process, as eMAG is: its downloads of our PDFs do not run on the host's event loop.
  const sandbox = await sandboxProcess(SANDBOX, {
    orders,
    seed: 'bench',
    rateLimit,
    extra: { now: '2026-11-20T12:00:00Z' },
  });
  overrides.set('emag', {
    ...emagConfig(sandbox),
    // Limits off on both sides: the plugin's budgets lifted through its config overrides.
    ...(rateLimit ? {} : { EMAG_RATE_LIMIT_ORDERS: '100000', EMAG_RATE_LIMIT_OTHER: '100000' }),
  });
  // eMAG's sellers are Romanian companies (the plugin's e2e tests' seller: OSS for BG and HU
  // consumers); a Polish one needed NBP rates for every BGN order, which held most of them.
  const tenant = await host.createTenant(undefined, ROMANIAN_SELLER);
  const user = await host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
  return {
    host,
    sandbox,
    user,
    tenantId: tenant.id,
    async stop() {
      await host.stop();
      await sandbox.close();
    },
  };
}

async function connect(user: TestActor, settings: Record<string, unknown>, platform = 'ro'): Promise<string> {
  const created = await user.trpc.integrations.create.mutate({
    pluginId: 'emag',
    label: 'bench',
    settings: {
      platform,
      accountType: 'main',
      username: `${platform}-main@sandbox.emag`,
      password: `sandbox-${platform}-main`,
      syncReturns: false,
      ...settings,
    },
  });
  return created.id;
}

const seconds = (run: Run) => (Date.parse(run.finishedAt!) - Date.parse(run.startedAt)) / 1000;

/** Limits on: the sync against the minimum the per-account budgets allow for its requests. */
async function limited(orders: number): Promise<BenchRow[]> {
  const w = await world(orders, true);
  try {
    const baseRss = process.memoryUsage().rss;
    let peak = baseRss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
    const id = await connect(w.user, {});
    const run = await finishedRun(w.user, id, 3_600_000);
    clearInterval(sampler);
    if (run.status !== 'succeeded') throw new Error(`limited sync ${run.status}: ${run.error}`);
    const state = await sandboxState(w.sandbox);
    const count = (re: RegExp, requests = state.requests) =>
      Object.entries(requests)
        .filter(([k]) => re.test(k))
        .reduce((s, [, n]) => s + n, 0);
    const orderRequests = count(/api-3\/order\//);
    const otherRequests = count(/api-3\/(?!order\/)/);
    const minimum = Math.max(orderRequests / ORDER_LIMIT, otherRequests / OTHER_LIMIT);
    const took = seconds(run);
    const ratio = took / minimum;
    const attached = run.counts.attached ?? 0;
    const note = `${orders} orders: ${orderRequests} order-route requests (reads ${count(/order\/read/)}, acks ${count(/acknowledge/)}, attachment calls ${count(/attachments/)} for ${attached} invoices)`;

    // The same sync on another account (its own budget) without attachments: how close the
    // request schedule itself (reads, acknowledgements, re-reads) comes to the limits' minimum.
    const id2 = await connect(w.user, { sendInvoices: false }, 'bg');
    const run2 = await finishedRun(w.user, id2, 3_600_000);
    if (run2.status !== 'succeeded') throw new Error(`limited sync ${run2.status}: ${run2.error}`);
    const after = await sandboxState(w.sandbox);
    const readsAcks = count(/api-3\/order\//, after.requests) - orderRequests;
    const took2 = seconds(run2);
    const minimum2 = readsAcks / ORDER_LIMIT;
    return [
      {
        bench: 'emag:limited',
        metric: 'sync without attachments / minimum the limits allow',
        value: took2,
        unit: 's',
        baseline: minimum2,
        ratio: took2 / minimum2,
        target: 'ratio <= 1.1',
        pass: took2 / minimum2 <= 1.1,
        note: `${orders} orders (bg-main): ${readsAcks} order-route requests, ${run2.counts.created ?? 0} invoices`,
      },
      {
        bench: 'emag:limited',
        metric: 'first sync time / minimum the limits allow',
        value: took,
        unit: 's',
        baseline: minimum,
        ratio,
        target: 'ratio <= 1.1',
        pass: ratio <= 1.1,
        note: `${note}; eMAG downloads each invoice PDF from us during the call`,
      },
      {
        bench: 'emag:limited',
        metric: 'rate-limit breaches',
        value: after.breaches,
        unit: 'breaches',
        target: '0',
        pass: after.breaches === 0,
      },
      {
        bench: 'emag:limited',
        metric: 'peak RSS of the host process during the first sync (sandbox in its own)',
        value: (peak - baseRss) / 1024 / 1024,
        unit: 'MB over start',
        note: `absolute peak ${(peak / 1024 / 1024).toFixed(0)} MB (this process also ran the benchmarks before)`,
      },
    ];
  } finally {
    await w.stop();
  }
}

/** The rows the sync wrote for one tenant, re-inserted the plain way into scratch copies (batches of 100). */
async function baselineMs(host: TestHost, tenantId: string): Promise<number> {
  const pool = host.database.db.pool;
  const tables = ['external_records', 'customers', 'products', 'invoices', 'invoice_lines'] as const;
  const rows: Record<string, unknown[]> = {};
  for (const table of tables) {
    const where =
      table === 'invoice_lines'
        ? 'where invoice_id in (select id from invoices where tenant_id = $1)'
        : 'where tenant_id = $1';
    rows[table] = (
      await pool.query(`select to_jsonb(t) as row from ${table} t ${where}`, [tenantId])
    ).rows.map((r) => r.row);
    await pool.query(`create table if not exists bench_${table} (like ${table} including defaults)`);
    await pool.query(`truncate bench_${table}`);
  }
  const batches = Math.ceil(rows.invoices!.length / 100);
  const started = performance.now();
  for (let b = 0; b < batches; b++) {
    for (const table of tables) {
      const all = rows[table]!;
      const size = Math.ceil(all.length / batches);
      const slice = all.slice(b * size, (b + 1) * size);
      if (slice.length === 0) continue;
      await pool.query(
        `insert into bench_${table} select * from jsonb_populate_recordset(null::bench_${table}, $1::jsonb)`,
        [JSON.stringify(slice)],
      );
    }
  }
  const ms = performance.now() - started;
  for (const table of tables) await pool.query(`drop table bench_${table}`);
  return ms;
}

/** Limits off, attachments off: how fast orders become invoices end to end, against plain SQL. */
async function unlimited(orders: number): Promise<BenchRow[]> {
  const w = await world(orders, false);
  try {
    const id = await connect(w.user, { sendInvoices: false });
    const run = await finishedRun(w.user, id, 3_600_000);
    if (run.status !== 'succeeded') throw new Error(`unlimited sync ${run.status}: ${run.error}`);
    const perSecond = (run.counts.orders ?? orders) / seconds(run);
    const plain = (run.counts.orders ?? orders) / ((await baselineMs(w.host, w.tenantId)) / 1000);
    return [
      {
        bench: 'emag:unlimited',
        metric: 'sync orders/s (read, ack, re-read, map, import; no attachments)',
        value: perSecond,
        unit: 'orders/s',
        baseline: plain,
        ratio: perSecond / plain,
        note: `${orders} orders, ${run.counts.created ?? 0} invoices; baseline: the same rows inserted with one batched statement per table per 100 orders; ${w.host.database.db.kind}`,
      },
    ];
  } finally {
    await w.stop();
  }
}

export default (async ({ quick }) => {
  const orders = quick ? 300 : 2000;
  return [...(await limited(orders)), ...(await unlimited(orders))];
}) satisfies Bench;
