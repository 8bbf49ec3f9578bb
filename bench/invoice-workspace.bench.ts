// The invoice workspace over 100 000 documents (issue 13 "Performance"): the first page of the
// list and a buyer search answer in < 200 ms server time, and the CSV export of all 100 000 rows
// streams in < 10 s with flat memory. Documents are real ones (importRecords of Allegro orders);
// figures are medians of repeated HTTP requests to the real host, beside a bare route measured in
// the same run (what any request costs here). Memory: the export's peak RSS growth over 100 000
// rows, beside an export of one row. PostgreSQL only: DATABASE_URL's server, else a cluster the bench starts itself.
import { randomUUID } from 'node:crypto';
import { compileMappings } from '../host/src/records/mapping-engine.ts';
import { importRecords } from '../host/src/records/import.ts';
import { ALLEGRO_MAPPINGS, allegroOrder } from '../host/src/records/test-fixtures.ts';
import { createTestDatabase } from '../host/src/testing/database.ts';
import { serverDatabaseUrl } from '../host/src/testing/server-database.ts';
import { pgClusterUnavailable, startPgCluster, type PgCluster } from '../host/test/support/pg-cluster.ts';
import { startTestHost } from '../host/test/support/test-host.ts';
import type { Bench, BenchRow } from './types.ts';

const BATCH = 1000;
const mappings = compileMappings(ALLEGRO_MAPPINGS);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export default (async ({ quick }) => {
  const total = quick ? 10_000 : 100_000;
  let cluster: PgCluster | undefined;
  if (!serverDatabaseUrl()) {
    const unavailable = pgClusterUnavailable();
    if (unavailable) throw new Error(`needs DATABASE_URL or a local PostgreSQL cluster: ${unavailable}`);
    cluster = await startPgCluster();
    process.env.MCH_TEST_SERVER_URL = cluster.url;
  }
  const database = await createTestDatabase({ server: true });
  const host = await startTestHost({ database, logLevel: 'warn' });
  try {
    const tenant = await host.createTenant('Workspace bench');
    const user = await host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
    const integrationId = randomUUID();
    await database.db.pool.query(
      `insert into integrations (id, tenant_id, plugin_id, label, status, settings, created_at, updated_at)
       values ($1, $2, 'market-a', 'Bench account', 'active', '{}'::jsonb, now(), now())`,
      [integrationId, tenant.id],
    );
    const started = performance.now();
    for (let from = 0; from < total; from += BATCH) {
      const records = Array.from({ length: Math.min(BATCH, total - from) }, (_, i) =>
        allegroOrder(from + i, { lines: 2, delivery: false }),
      ).map((o) => ({ externalId: o.id, revision: o.revision, data: o }));
      await importRecords({
        db: database.db,
        tenantId: tenant.id,
        integrationId,
        pluginId: 'market-a',
        mappingName: 'invoice',
        mappings,
        settings: { defaultVatRate: 23 },
        records,
      });
    }
    const seedS = (performance.now() - started) / 1000;
    // The fixture's orders are all of one day; a seller's year is spread over its months (the list's
    // issue-date column only — the bench does not read the frozen documents' dates).
    await database.db.pool.query(
      `update invoices set issue_date = to_char(date '2026-01-01' + (sequence % 334), 'YYYY-MM-DD') where tenant_id = $1`,
      [tenant.id],
    );
    await database.db.pool.query('vacuum analyze invoices');
    const [{ n: documents } = { n: 0 }] = (
      await database.db.pool.query<{ n: number }>(
        'select count(*)::int as n from invoices where tenant_id = $1',
        [tenant.id],
      )
    ).rows;

    const timed = async (path: string, times: number) => {
      const ms: number[] = [];
      for (let i = 0; i < times + 2; i++) {
        const t = performance.now();
        const response = await fetch(`${host.url}${path}`, {
          headers: { authorization: `Bearer ${user.token}` },
        });
        if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
        await response.arrayBuffer();
        if (i >= 2) ms.push(performance.now() - t);
      }
      return median(ms);
    };
    const bare = await timed('/healthz', 30);
    const firstPage = await timed('/api/v1/invoices?limit=50', 30);
    const search = await timed(
      `/api/v1/invoices?limit=50&q=${encodeURIComponent(`Kowalski ${total - 7}`)}`,
      30,
    );
    const month = await timed('/api/v1/invoices?limit=50&from=2026-11-01&to=2026-11-30&sort=-total', 30);

    /** One export: its rows, seconds, and the process's peak RSS growth while it streamed. */
    const exportCsv = async (query: string) => {
      global.gc?.();
      const before = process.memoryUsage().rss;
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      const t = performance.now();
      const response = await fetch(`${host.url}/api/v1/invoices.csv?${query}`, {
        headers: { authorization: `Bearer ${user.token}` },
      });
      let rows = -1;
      const decoder = new TextDecoder();
      for await (const chunk of response.body!)
        rows += (decoder.decode(chunk, { stream: true }).match(/\n/g) ?? []).length;
      const seconds = (performance.now() - t) / 1000;
      clearInterval(sampler);
      return { rows, seconds, growthMb: (peak - before) / 1024 / 1024 };
    };
    const small = await exportCsv(`limit=1&q=${encodeURIComponent('Kowalski 1')}`);
    const all = await exportCsv('');
    const where = `${documents} documents of ${total} orders, PostgreSQL; seeded in ${seedS.toFixed(0)} s`;
    const rows: BenchRow[] = [
      {
        bench: 'console:workspace',
        metric: 'first page (50 newest), median',
        value: firstPage,
        unit: 'ms',
        baseline: bare,
        ratio: firstPage / bare,
        target: '< 200 ms',
        pass: firstPage < 200,
        note: `${where}; baseline = GET /healthz`,
      },
      {
        bench: 'console:workspace',
        metric: 'search by buyer name, median',
        value: search,
        unit: 'ms',
        baseline: bare,
        ratio: search / bare,
        target: '< 200 ms',
        pass: search < 200,
        note: where,
      },
      {
        bench: 'console:workspace',
        metric: 'one month, highest total first, median',
        value: month,
        unit: 'ms',
        baseline: bare,
        ratio: month / bare,
        target: '< 200 ms',
        pass: month < 200,
        note: where,
      },
      {
        bench: 'console:workspace',
        metric: `CSV export of ${all.rows} rows`,
        value: all.seconds,
        unit: 's',
        target: '< 10 s',
        pass: all.rows === documents && all.seconds < 10,
        note: `${(all.rows / all.seconds).toFixed(0)} rows/s`,
      },
      {
        bench: 'console:workspace',
        metric: 'CSV export peak memory growth',
        value: all.growthMb,
        unit: 'MB',
        baseline: small.growthMb,
        ratio: all.growthMb / Math.max(small.growthMb, 1),
        target: '<= 64 MB for all rows (flat)',
        pass: all.growthMb <= 64,
        note: `baseline = an export of ${small.rows} row(s)`,
      },
    ];
    return rows;
  } finally {
    await host.stop();
    await database.close();
    if (cluster) {
      delete process.env.MCH_TEST_SERVER_URL;
      await cluster.destroy();
    }
  }
}) satisfies Bench;
