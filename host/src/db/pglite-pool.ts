import { PGlite, type Results } from '@electric-sql/pglite';
import { createPostgreSqlTypeParsers } from '@mikro-orm/sql';
import postgresArray from 'postgres-array';
import { Mutex } from './mutex.ts';

/** What `pg`, kysely's PostgresDialect and Agenda's PostgreSQL backend read from a query result. */
export interface PgLikeResult<Row = Record<string, unknown>> {
  command: string;
  rowCount: number;
  rows: Row[];
  fields: { name: string; dataTypeID: number }[];
}

export interface PgLikeClient {
  query<Row = Record<string, unknown>>(
    sql: string | { text: string; values?: unknown[]; name?: string },
    params?: unknown[],
  ): Promise<PgLikeResult<Row>>;
  release(err?: unknown): void;
}

type Parsers = Record<number, (value: string) => unknown>;

const exact = (value: string) => value;
const PG_DEFAULT_PARSERS: Parsers = { 20: exact, 1700: exact };
const ORM_PARSERS: Parsers = {
  ...PG_DEFAULT_PARSERS,
  ...(createPostgreSqlTypeParsers((value) => postgresArray.parse(value)) as Parsers),
};

const FIRST_WORD = /^\s*(?:--[^\n]*\n\s*)*([a-zA-Z]+)/;

function toPgResult<Row>(sql: string, result: Results<Row>): PgLikeResult<Row> {
  const command = FIRST_WORD.exec(sql)?.[1]?.toUpperCase() ?? '';
  return {
    command,
    rowCount: result.affectedRows ?? result.rows.length,
    rows: result.rows,
    fields: result.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
  };
}

/** Statements separated by `;` need PGlite's simple-query `exec`; one statement goes through `query`. */
function isMultiStatement(sql: string): boolean {
  const trimmed = sql.trim().replace(/;\s*$/, '');
  return trimmed.includes(';');
}

/**
 * A `pg.Pool` look-alike over one in-process PGlite database. `connect()` hands out an exclusive
 * session (the mutex is held until `release()`), so the ORM's transactions and Agenda's queries
 * never interleave. Never call `pool.query()` while holding a client in the same flow: it waits
 * for that very client and deadlocks (a wait longer than `lockTimeoutMs` fails loudly instead).
 */
export class PglitePool {
  readonly db: PGlite;
  readonly #mutex = new Mutex();
  readonly #lockTimeoutMs: number;
  #ended = false;

  private constructor(db: PGlite, lockTimeoutMs: number) {
    this.db = db;
    this.#lockTimeoutMs = lockTimeoutMs;
  }

  /** `dataDir` undefined or `memory://` keeps the database in memory (tests). */
  static async open(
    options: { dataDir?: string; lockTimeoutMs?: number; template?: Blob } = {},
  ): Promise<PglitePool> {
    // Parse like `pg`'s defaults (raw SQL, Agenda): int8 and numeric as exact strings.
    const db = await PGlite.create({
      dataDir: options.dataDir ?? 'memory://',
      parsers: PG_DEFAULT_PARSERS,
      // A new database unpacked from a migrated template instead of initdb (embedded-template.ts).
      ...(options.template ? { loadDataDir: options.template } : {}),
    });
    return new PglitePool(db, options.lockTimeoutMs ?? 120_000);
  }

  /** The whole database as a gzipped tarball (PGlite `dumpDataDir`), taken between queries. */
  async dump(): Promise<Blob> {
    const release = await this.#acquire();
    try {
      return await this.db.dumpDataDir('gzip');
    } finally {
      release();
    }
  }

  get waitingCount(): number {
    return this.#mutex.waiting;
  }

  async connect(parsers?: Parsers): Promise<PgLikeClient> {
    if (this.#ended) throw new Error('The embedded database is closed.');
    const queryOptions = { rowMode: 'object' as const, ...(parsers ? { parsers } : {}) };
    const release = await this.#acquire();
    const db = this.db;
    let released = false;
    return {
      async query<Row>(sql: string | { text: string; values?: unknown[] }, params?: unknown[]) {
        if (released) throw new Error('Query on a released embedded-database client.');
        const text = typeof sql === 'string' ? sql : sql.text;
        const values = typeof sql === 'string' ? params : (sql.values ?? params);
        if ((!values || values.length === 0) && isMultiStatement(text)) {
          const results = await db.exec(text, parsers ? { parsers } : undefined);
          const last = results.at(-1) ?? { rows: [], fields: [], affectedRows: 0 };
          return toPgResult(text, last as Results<Row>);
        }
        return toPgResult(text, await db.query<Row>(text, values ?? [], queryOptions));
      },
      release() {
        released = true;
        release();
      },
    };
  }

  async query<Row = Record<string, unknown>>(
    sql: string | { text: string; values?: unknown[] },
    params?: unknown[],
  ): Promise<PgLikeResult<Row>> {
    const client = await this.connect();
    try {
      return await client.query<Row>(sql, params);
    } finally {
      client.release();
    }
  }

  /** pg.Pool API surface some libraries probe; the embedded pool has no idle clients to report. */
  on(): this {
    return this;
  }

  /**
   * The pool as MikroORM wants it: values parsed as by MikroORM's `pg` setup (dates as raw strings,
   * int8/numeric as strings), and `end()` leaving the database open, since kysely ends its pool
   * whenever MikroORM reconnects.
   */
  forOrm(): { connect(): Promise<PgLikeClient>; on(): unknown; end(): Promise<void> } {
    return {
      connect: () => this.connect(ORM_PARSERS),
      on: () => this,
      end: async () => undefined,
    };
  }

  async end(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    const release = await this.#mutex.acquire();
    try {
      await this.db.close();
    } finally {
      release();
    }
  }

  async #acquire(): Promise<() => void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `Waited ${this.#lockTimeoutMs} ms for the embedded database: a caller holds it too long ` +
                '(or queried it while holding a connection).',
            ),
          ),
        this.#lockTimeoutMs,
      );
      timer.unref();
    });
    const acquiring = this.#mutex.acquire();
    try {
      return await Promise.race([acquiring, timeout]);
    } catch (error) {
      // We gave up waiting: when the lock arrives later, hand it straight back.
      void acquiring.then((release) => release());
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
