import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate, openDatabase, type Database } from '../db/orm.ts';
import { serverDatabaseUrl } from './server-database.ts';

export interface TestDatabase {
  db: Database;
  /** Connection string of the isolated database (real PostgreSQL only). */
  url: string | undefined;
  close(): Promise<void>;
}

/** Replaces the database name of a PostgreSQL URL. */
export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/**
 * An isolated, migrated database for one test file: a fresh database on the PostgreSQL server
 * named by `DATABASE_URL` (dropped afterwards), or an in-memory embedded database without it.
 * `server: true` (tests of several processes) always takes a server database: `DATABASE_URL`'s,
 * or the cluster the test run started for them (`serverDatabaseUrl()`).
 */
export async function createTestDatabase(options: { server?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = options.server ? serverDatabaseUrl() : process.env.DATABASE_URL;
  if (options.server && !serverUrl) throw new Error('This test needs a PostgreSQL server: set DATABASE_URL.');
  if (!serverUrl) {
    const db = await openDatabase({});
    await migrate(db);
    return { db, url: undefined, close: () => db.close() };
  }
  const name = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = withDatabaseName(serverUrl, name);
  const db = await openDatabase({ databaseUrl: url, poolSize: 5 });
  await migrate(db);
  return {
    db,
    url,
    async close() {
      await db.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists "${name}" with (force)`);
      await cleanup.end();
    },
  };
}
