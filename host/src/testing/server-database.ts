/**
 * The PostgreSQL server for tests that need one (several processes on one database): the run's
 * `DATABASE_URL`, else the cluster the global setup started for this run (`global-setup.ts`).
 */
export function serverDatabaseUrl(): string | undefined {
  return process.env.DATABASE_URL || process.env.MCH_TEST_SERVER_URL || undefined;
}

/** Appended to a suite's name when it is skipped for want of a server (the reporter lists it). */
export const NO_SERVER = ' — SKIPPED: no PostgreSQL server (set DATABASE_URL)';
