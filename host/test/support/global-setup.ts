import { pgClusterUnavailable, startPgCluster, type PgCluster } from './pg-cluster.ts';

/**
 * vitest global setup (issue 20): tests that need several processes on one database need a
 * PostgreSQL server. With `DATABASE_URL` (CI) they use it. Without it — the embedded default of a
 * local `npm test` — a throwaway cluster of our own is started for them on a free port
 * (`MCH_TEST_SERVER_URL`, read by `serverDatabaseUrl()`), while every other test keeps running on
 * the embedded database. When no cluster can start here, the run says so loudly now, and the
 * skipped-tests reporter lists every test that was skipped and why at the end.
 */
let cluster: PgCluster | undefined;

export async function setup(): Promise<void> {
  if (process.env.DATABASE_URL || process.env.MCH_TEST_SERVER_URL) return;
  if (process.env.MCH_TEST_NO_SERVER === '1') {
    warn('MCH_TEST_NO_SERVER=1: tests needing a PostgreSQL server (several processes) will be SKIPPED.');
    return;
  }
  const unavailable = pgClusterUnavailable();
  if (unavailable) {
    warn(
      `DATABASE_URL is not set and no PostgreSQL cluster can start here (${unavailable}): ` +
        'tests needing a server (several host processes on one database) will be SKIPPED. ' +
        'Set DATABASE_URL to run them.',
    );
    return;
  }
  cluster = await startPgCluster();
  process.env.MCH_TEST_SERVER_URL = cluster.url;
  process.stderr.write(
    `[tests] DATABASE_URL is not set: the embedded database for most tests, and a PostgreSQL cluster of ` +
      `this run's own on port ${cluster.port} for the multi-process tests.\n`,
  );
}

export async function teardown(): Promise<void> {
  await cluster?.destroy();
  cluster = undefined;
}

function warn(message: string): void {
  process.stderr.write(`\n[tests] WARNING: ${message}\n\n`);
}
