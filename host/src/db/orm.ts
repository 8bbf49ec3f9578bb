import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { PostgresDialect } from 'kysely';
import type pg from 'pg';
import { ALL_ENTITIES } from './entities/index.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { isFreshDataDir, loadTemplate, saveTemplate } from './embedded-template.ts';
import { createPgPool, type ConnectionListener } from './pg-pool.ts';
import { PglitePool, type PgLikeClient, type PgLikeResult } from './pglite-pool.ts';

/** The narrow pool interface shared by raw SQL, Agenda's PostgreSQL backend and rate limiting. */
export interface SqlPool {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<PgLikeResult<Row>>;
  connect(): Promise<PgLikeClient>;
}

export interface Database {
  kind: 'embedded' | 'postgres';
  orm: MikroORM;
  pool: SqlPool;
  /**
   * Connections of their own for short coordination statements that must not queue behind bulk
   * work on `pool` (the rate limiter's slot reservations: a slot read late is wasted). Embedded,
   * the same serialized pool.
   */
  coordination: SqlPool;
  /** Connection string, for consumers (Agenda's LISTEN/NOTIFY) that need their own connection. */
  url: string | undefined;
  /**
   * A new embedded database made from scratch: once migrated it is kept as the template the next
   * new one is unpacked from (embedded-template.ts). Absent otherwise.
   */
  keepAsTemplate?: () => Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL server; without it, the embedded database. */
  databaseUrl?: string | undefined;
  /** Where the embedded database lives (`<dataDir>/pgdata`); omitted → in memory (tests). */
  dataDir?: string | undefined;
  /** Size of the pg pool on a real server. */
  poolSize?: number;
  debug?: boolean;
  /** Told when a server connection drops and when it is back (the host's logger). */
  listener?: ConnectionListener | undefined;
}

function baseOptions(): Options {
  return {
    entities: ALL_ENTITIES,
    extensions: [Migrator],
    migrations: {
      migrationsList: MIGRATIONS,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    // The schema is owned by the committed migrations, not by discovery at start.
    ensureDatabase: false,
    allowGlobalContext: false,
    forceUtcTimezone: true,
  };
}

/** Opens the database the environment names: PostgreSQL when a URL is given, else embedded PGlite. */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.databaseUrl) {
    const url = options.databaseUrl;
    const orm = await MikroORM.init({
      ...baseOptions(),
      clientUrl: url,
      pool: { min: 0, max: options.poolSize ?? 10 },
      debug: options.debug ?? false,
    });
    // Every pool survives a server restart (pg-pool.ts); MikroORM guards its own pool the same way.
    const pool = createPgPool({ url, max: 5, name: 'application', listener: options.listener });
    const coordination = createPgPool({ url, max: 2, name: 'coordination', listener: options.listener });
    return {
      kind: 'postgres',
      orm,
      pool: pool as unknown as SqlPool,
      coordination: coordination as unknown as SqlPool,
      url,
      async close() {
        await orm.close(true);
        await pool.end();
        await coordination.end();
      },
    };
  }

  let dataDir: string | undefined;
  if (options.dataDir) {
    dataDir = join(options.dataDir, 'pgdata');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  }
  const fresh = isFreshDataDir(dataDir);
  const template = fresh ? loadTemplate() : undefined;
  const pool = await PglitePool.open({ dataDir, ...(template ? { template } : {}) });
  const orm = await MikroORM.init({
    ...baseOptions(),
    // PGlite's one database is `postgres`; naming it keeps MikroORM from trying to create another.
    dbName: 'postgres',
    // Hand MikroORM a kysely dialect over the serialized PGlite pool instead of a `pg` pool. Kysely
    // ends its pool when MikroORM reconnects: the embedded database must outlive that.
    driverOptions: new PostgresDialect({ pool: pool.forOrm() as unknown as pg.Pool }),
    debug: options.debug ?? false,
  });
  return {
    kind: 'embedded',
    orm,
    pool,
    coordination: pool,
    url: undefined,
    ...(fresh && !template ? { keepAsTemplate: async () => saveTemplate(await pool.dump()) } : {}),
    async close() {
      await orm.close(true).catch(() => undefined);
      await pool.end();
    },
  };
}

/** Applies every pending committed migration. */
export async function migrate(db: Database): Promise<string[]> {
  const applied = await db.orm.migrator.up();
  // Every committed migration just ran on a new, empty embedded database: keep it as the template.
  if (db.keepAsTemplate && applied.length === MIGRATIONS.length) {
    const keep = db.keepAsTemplate;
    delete db.keepAsTemplate;
    await keep();
  }
  return applied.map((m) => m.name);
}
