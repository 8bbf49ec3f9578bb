// Scheduler scale (issue 20): 10 000 integrations scheduled on one worker process. Their first runs
// are spread evenly over one interval (as a fleet's are once it has been running a while), and the
// worker — this process, Agenda on PostgreSQL with the host's run locks and bookkeeping — runs each
// once. Lateness = handler start − the run's due time; RSS sampled throughout.
// Targets: lateness p99 < 2 s, RSS < 300 MB. Needs PostgreSQL: DATABASE_URL's server (a database
// of its own is created and dropped), else a throwaway cluster on a free port (host/test/support).
// Alone: `npm run bench -- --only scheduler-scale` (`--quick`: 1 000 integrations over 20 s).
// Knobs: BENCH_SCALE_INTEGRATIONS, BENCH_SCALE_INTERVAL_MS, BENCH_SCALE_LOCK_LIFETIME_MS. RSS depends on
// when V8 collects: NODE_OPTIONS=--max-old-space-size=160 shows what is live rather than uncollected.
import { cpus, totalmem } from 'node:os';
import pg from 'pg';
import { migrate, openDatabase } from '../host/src/db/orm.ts';
import { AGENDA_TABLE, createScheduler, type SchedulerLogger } from '../host/src/scheduler/index.ts';
import { withDatabaseName } from '../host/src/testing/database.ts';
import { pgClusterUnavailable, startPgCluster, type PgCluster } from '../host/test/support/pg-cluster.ts';
import type { Bench, BenchRow } from './types.ts';

const KIND = 'bench-scale';
const RETRY = { attempts: 0, backoff: 'exponential' as const, initialDelayMs: 1000, maxDelayMs: 1000 };

/**
 * Counts what the scheduler logs and keeps only errors: a production logger writes lines out and
 * keeps nothing, so a logger holding every entry would add its own memory to the RSS measured.
 */
function countingLogger(): SchedulerLogger & { errors: { msg: string; obj: object }[] } {
  const errors: { msg: string; obj: object }[] = [];
  const ignore = () => undefined;
  return {
    errors,
    debug: ignore,
    info: ignore,
    warn: ignore,
    error: (obj, msg) => void errors.push({ msg, obj }),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function serverUrl(): Promise<{ url: string; done: () => Promise<void> }> {
  const name = `bench_scale_${Date.now().toString(36)}`;
  let cluster: PgCluster | undefined;
  let base = process.env.DATABASE_URL;
  if (!base) {
    const unavailable = pgClusterUnavailable();
    if (unavailable) throw new Error(`needs DATABASE_URL or a local PostgreSQL cluster: ${unavailable}`);
    cluster = await startPgCluster();
    base = cluster.url;
  }
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  return {
    url: withDatabaseName(base, name),
    async done() {
      if (cluster) return cluster.destroy();
      const cleanup = new pg.Client({ connectionString: base });
      await cleanup.connect();
      await cleanup.query(`drop database if exists "${name}" with (force)`);
      await cleanup.end();
    },
  };
}

const bench: Bench = async ({ quick }) => {
  const integrations = Number(process.env.BENCH_SCALE_INTEGRATIONS ?? (quick ? 1000 : 10_000));
  const intervalMs = Number(process.env.BENCH_SCALE_INTERVAL_MS ?? (quick ? 20_000 : 120_000));
  const server = await serverUrl();
  const db = await openDatabase({ databaseUrl: server.url, poolSize: 5 });
  const logger = countingLogger();
  try {
    await migrate(db);
    const starts = new Map<string, number>();
    const scheduler = createScheduler({
      db,
      logger,
      processName: 'bench-worker',
      ...(process.env.BENCH_SCALE_LOCK_LIFETIME_MS
        ? { defaultLockLifetimeMs: Number(process.env.BENCH_SCALE_LOCK_LIFETIME_MS) }
        : {}),
    });
    scheduler.define(KIND, async ({ integrationId }) => {
      if (!starts.has(integrationId)) starts.set(integrationId, Date.now());
    });
    // Scheduled before the worker starts, ten at a time (as integrations are connected).
    const ids = Array.from({ length: integrations }, (_, i) => `i-${String(i).padStart(6, '0')}`);
    const scheduleStarted = Date.now();
    for (let i = 0; i < ids.length; i += 10) {
      await Promise.all(
        ids.slice(i, i + 10).map((integrationId) =>
          scheduler.scheduleIntegrationJobs({
            integrationId,
            kind: KIND,
            jobs: [{ jobId: 'orders', intervalMs, retry: RETRY }],
          }),
        ),
      );
    }
    const scheduleMs = Date.now() - scheduleStarted;
    // Spread the first runs over one interval, starting a poll from now.
    const { rows } = await db.pool.query<{ integration_id: string; due: Date }>(
      `update ${AGENDA_TABLE} set next_run_at = now() + interval '5 seconds' + random() * $1::int * interval '1 millisecond'
        where name = $2 returning data->>'integrationId' as integration_id, next_run_at as due`,
      [intervalMs, KIND],
    );
    const due = new Map(rows.map((r) => [r.integration_id, new Date(r.due).getTime()]));
    const rssBeforeStart = process.memoryUsage().rss / 2 ** 20;
    const rss: number[] = [];
    const heap: number[] = [];
    const sampler = setInterval(() => {
      const usage = process.memoryUsage();
      rss.push(usage.rss);
      heap.push(usage.heapUsed);
    }, 500);
    await scheduler.start();
    const deadline = Date.now() + 5000 + intervalMs + 30_000;
    while (starts.size < integrations && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    clearInterval(sampler);
    await scheduler.stop({ drainTimeoutMs: 10_000 });

    const lateness = [...starts].map(([id, at]) => Math.max(0, at - due.get(id)!)).sort((a, b) => a - b);
    const missed = integrations - starts.size;
    const p50 = percentile(lateness, 50);
    const p99 = percentile(lateness, 99);
    const maxRssMb = Math.max(...rss) / 2 ** 20;
    const maxHeapMb = Math.max(...heap) / 2 ** 20;
    const errors = logger.errors.length;
    const machine = `${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GB, node ${process.version}`;
    const group = 'scheduler:scale';
    const rowsOut: BenchRow[] = [
      {
        bench: group,
        metric: `lateness p99 (${integrations} integrations, one worker)`,
        value: p99,
        unit: 'ms',
        target: '< 2000 ms',
        pass: p99 < 2000 && missed === 0,
        note: `p50 ${p50.toFixed(0)} ms, max ${lateness.at(-1) ?? 0} ms, ${missed} not run; interval ${intervalMs / 1000} s; ${machine}`,
      },
      {
        bench: group,
        metric: 'worker RSS peak',
        value: maxRssMb,
        unit: 'MB',
        target: '< 300 MB',
        pass: maxRssMb < 300,
        note: `${rssBeforeStart.toFixed(0)} MB before the worker started (this process: host modules, ORM, pools); JS heap used peak ${maxHeapMb.toFixed(0)} MB; ${errors} scheduler errors logged`,
      },
      {
        bench: group,
        metric: 'scheduling rate (before start)',
        value: integrations / (scheduleMs / 1000),
        unit: 'integrations/s',
      },
    ];
    return rowsOut;
  } finally {
    await db.close().catch(() => undefined);
    await server.done();
  }
};

export default bench;
