import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { HostEnv } from '../config/env.ts';
import { migrate, openDatabase, type Database } from '../db/orm.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { buildHttpServer } from '../server/http-server.ts';
import type { HostServices } from './services.ts';
import { HOST_VERSION } from './version.ts';

export type HostRole = 'all' | 'api' | 'worker';

export interface CreateHostAppOptions {
  env: HostEnv;
  role?: HostRole;
  logger?: Logger;
  /** An already open database (tests share one per file); otherwise opened from `env`. */
  database?: Database;
  /** The console's build output; default `console/build` in the repository. */
  consoleDir?: string;
}

export interface HostApp {
  services: HostServices;
  http: FastifyInstance | undefined;
  /** Listens on `env.host:env.port` (api/all roles) and starts the scheduler (worker/all). */
  start(): Promise<{ url: string | undefined }>;
  /** Stops taking work, drains running jobs, closes the server and the database. */
  stop(): Promise<void>;
}

const REPO_ROOT = resolve(import.meta.dirname, '../../..');

/** The composition root: builds every service once and wires them together. */
export async function createHostApp(options: CreateHostAppOptions): Promise<HostApp> {
  const { env } = options;
  const role = options.role ?? 'all';
  const logger = options.logger ?? createLogger({ level: env.logLevel });
  const ownsDatabase = !options.database;
  const db = options.database ?? (await openDatabase({ databaseUrl: env.databaseUrl, dataDir: env.dataDir }));
  await migrate(db);

  const services: HostServices = {
    env,
    logger,
    db,
    version: HOST_VERSION,
    startedAt: new Date(),
    readiness: new Map(),
  };
  services.readiness.set('database', async () => {
    await db.pool.query('select 1');
    return { name: 'database', ok: true, detail: db.kind };
  });

  const http =
    role === 'worker'
      ? undefined
      : await buildHttpServer({
          services,
          resolvePrincipal: async () => null,
          consoleDir: options.consoleDir ?? resolve(REPO_ROOT, 'console/build'),
        });

  let stopped = false;
  return {
    services,
    http,
    async start() {
      if (!http) return { url: undefined };
      const address = await http.listen({ host: env.host, port: env.port });
      logger.info({ address, role, database: db.kind }, 'host ready');
      return { url: address };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await http?.close();
      if (ownsDatabase) await db.close();
    },
  };
}
