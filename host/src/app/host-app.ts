import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createLoginLimiter } from '../api/login-limiter.ts';
import { deviceCookieSecret } from '../auth/device-cookie.ts';
import type { HostEnv } from '../config/env.ts';
import { migrate, openDatabase, type Database } from '../db/orm.ts';
import { createIntegrationService } from '../integrations/integration.service.ts';
import { createSchedulerSync } from '../integrations/scheduler-sync.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { loadPlugins } from '../plugins/index.ts';
import type { PluginLoadResult } from '../plugins/types.ts';
import { createScheduler } from '../scheduler/index.ts';
import { buildHttpServer } from '../server/http-server.ts';
import { createPrincipalResolver } from '../server/principal.ts';
import { restRoutes } from '../server/rest/index.ts';
import { checkMasterKey, createVault, resolveMasterKey } from '../vault/index.ts';
import { createSyncRuntime, type SyncRuntime } from '../sync/sync-runtime.ts';
import { InvoiceDocuments } from '../invoicing/invoice-documents.ts';
import { invoiceTemplateSettings } from '../invoicing/invoice-templates.ts';
import type { HostPlugins, HostServices } from './services.ts';
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
  /** The plugin registry file; default the repository's root `plugin.manifest.json`. */
  registryPath?: string;
  /** How often the scheduler polls for due jobs (tests shorten it). */
  schedulerPollMs?: number;
  /** Per-plugin config overrides (demo mode and tests point plugins at their sandboxes). */
  configOverrides?: Map<string, Record<string, string>>;
  /** After this long a claimed-but-unfinished outbound operation is taken over (crash recovery). */
  outboundStaleAfterMs?: number;
  /** Start the PDF render threads at start rather than on the first PDF (default true; tests skip it). */
  warmPdfRenderer?: boolean;
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

function hostPlugins(result: PluginLoadResult): HostPlugins {
  const byId = new Map(result.plugins.map((p) => [p.id, p]));
  return { ...result, get: (id) => byId.get(id) };
}

/** The composition root: builds every service once and wires them together. */
export async function createHostApp(options: CreateHostAppOptions): Promise<HostApp> {
  const { env } = options;
  const role = options.role ?? 'all';
  const logger = options.logger ?? createLogger({ level: env.logLevel });
  const ownsDatabase = !options.database;
  const db =
    options.database ??
    (await openDatabase({ databaseUrl: env.databaseUrl, dataDir: env.dataDir, listener: logger }));
  await migrate(db);

  const masterKey = resolveMasterKey({ masterKey: env.masterKey, dataDir: env.dataDir });
  // Refuse to start on a master key other than the one that wrapped the stored tenant keys.
  await checkMasterKey({ db, masterKey: masterKey.key });
  const vault = createVault({ db, masterKey });

  const plugins = hostPlugins(
    await loadPlugins(options.registryPath ? { registryPath: options.registryPath } : {}),
  );
  for (const issue of plugins.registryIssues)
    logger.error({ issue, registry: plugins.registryPath }, 'plugin registry is invalid');
  for (const refused of plugins.refused) {
    logger.warn({ dir: refused.dir, pluginId: refused.id, issues: refused.issues }, 'plugin refused');
  }
  logger.info({ plugins: plugins.plugins.map((p) => `${p.id}@${p.manifest.version}`) }, 'plugins loaded');

  // Every role gets a scheduler: api processes only enqueue (manual sync, rescheduling), workers
  // also poll and run jobs. Agenda connects lazily, so an api process opens nothing until asked.
  // Sync engine (lead): the scheduler reports run outcomes to it for the failure policy.
  // Filled once the sync runtime exists (it needs the scheduler, and the scheduler reports to it).
  const runtimeRef: { current?: SyncRuntime } = {};
  const processName = `${hostname()}:${process.pid}:${role}`;
  const scheduler = createScheduler({
    db,
    mongodbUrl: env.mongodbUrl,
    logger,
    processName,
    onRunFinished: (outcome) => runtimeRef.current?.onRunFinished(outcome),
    ...(options.schedulerPollMs ? { pollIntervalMs: options.schedulerPollMs } : {}),
  });

  const services: HostServices = {
    env,
    logger,
    db,
    version: HOST_VERSION,
    startedAt: new Date(),
    readiness: new Map(),
    vault,
    plugins,
    scheduler,
    // Replaced below; the service reads `services.sync` late, so the sync engine can swap it.
    integrations: undefined as unknown as HostServices['integrations'],
    sync: createSchedulerSync({ db, scheduler }),
    oauth: undefined,
    invoiceDocuments: new InvoiceDocuments({
      pool: db.pool,
      logger,
      templateSettings: invoiceTemplateSettings(plugins.plugins),
      ...(env.invoicePdfThreads === undefined ? {} : { threads: env.invoicePdfThreads }),
    }),
    loginLimiter: createLoginLimiter({ deviceSecret: deviceCookieSecret(masterKey.key) }),
  };
  services.integrations = createIntegrationService({
    db,
    vault,
    plugins,
    scheduler,
    logger,
    sync: () => services.sync,
  });

  // Sync engine (lead): plugin context, runs, OAuth broker, public invoice links.
  const runtime = createSyncRuntime({
    services,
    scheduler,
    masterKey: masterKey.key,
    processName,
    configOverrides: options.configOverrides ?? new Map<string, Record<string, string>>(),
    ...((options.outboundStaleAfterMs ?? env.outboundStaleAfterMs)
      ? { outboundStaleAfterMs: options.outboundStaleAfterMs ?? env.outboundStaleAfterMs }
      : {}),
  });
  runtimeRef.current = runtime;
  services.sync = runtime.sync;
  services.oauth = runtime.oauth;

  let schedulerStarted = false;
  services.readiness.set('database', async () => {
    await db.pool.query('select 1');
    return { name: 'database', ok: true, detail: db.kind };
  });
  services.readiness.set('scheduler', async () => {
    if (role === 'api') return { name: 'scheduler', ok: true, detail: `${scheduler.backend} (enqueue only)` };
    return {
      name: 'scheduler',
      ok: schedulerStarted,
      detail: schedulerStarted ? scheduler.backend : 'not started',
    };
  });

  const principals = createPrincipalResolver({ db, publicUrl: env.publicUrl });
  const resolvePrincipal = principals.resolve;
  const http =
    role === 'worker'
      ? undefined
      : await buildHttpServer({
          services,
          resolvePrincipal,
          renewedCookie: principals.renewedCookie,
          routes: [restRoutes({ services, resolvePrincipal }), (app) => runtime.routes(app)],
          consoleDir: options.consoleDir ?? resolve(REPO_ROOT, 'console/build'),
        });

  let stopped = false;
  return {
    services,
    http,
    async start() {
      if (options.warmPdfRenderer !== false)
        services.invoiceDocuments
          .warmUp()
          .catch((error: unknown) => logger.warn({ err: error }, 'PDF render threads did not start'));
      if (role !== 'api') {
        await scheduler.start();
        schedulerStarted = true;
      }
      if (!http) {
        logger.info({ role, database: db.kind }, 'host ready');
        return { url: undefined };
      }
      const address = await http.listen({ host: env.host, port: env.port });
      // A port-0 PUBLIC_URL (the default with PORT=0, as in tests) names no real address: use the
      // one the server got, so invoice links and webhook URLs handed out are reachable.
      if (/:0$/.test(env.publicUrl)) env.publicUrl = address.replace(/\/$/, '');
      logger.info({ address, role, database: db.kind }, 'host ready');
      return { url: address };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await http?.close();
      await scheduler.stop();
      await services.invoiceDocuments.close();
      if (ownsDatabase) await db.close();
    },
  };
}
