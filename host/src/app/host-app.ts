import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createLoginLimiter } from '../api/login-limiter.ts';
import { deviceCookieSecret } from '../auth/device-cookie.ts';
import type { HostEnv } from '../config/env.ts';
import { migrate, openDatabase, type Database } from '../db/orm.ts';
import { createIntegrationService } from '../integrations/integration.service.ts';
import { InvoiceDocuments } from '../invoicing/invoice-documents.ts';
import { invoiceTemplateSettings } from '../invoicing/invoice-templates.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { mapOfUnique } from '../merge-disjoint.ts';
import { loadPlugins } from '../plugins/index.ts';
import type { PluginLoadResult } from '../plugins/types.ts';
import { createScheduler, type Scheduler } from '../scheduler/index.ts';
import { createAlertWebhooks, startAlertWebhookLoop } from '../alerts/webhook.ts';
import { createRunFinishedListeners } from '../scheduler/run-finished-listeners.ts';
import { buildHttpServer } from '../server/http-server.ts';
import { createPrincipalResolver } from '../server/principal.ts';
import { restRoutes } from '../server/rest/index.ts';
import { createSyncRuntime, type SyncRuntime } from '../sync/sync-runtime.ts';
import { checkMasterKey, createVault, resolveMasterKey, type Vault } from '../vault/index.ts';
import type { HostPlugins, HostServices, ReadinessCheck } from './services.ts';
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
  /** Multiplies the manifests' retry delays and the HTTP client's own (tests shorten them; default 1). */
  schedulerRetryScale?: number;
  /** Multiplies the manifests' job intervals (tests run a plugin's every-minute job every few seconds; default 1). */
  schedulerIntervalScale?: number;
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

/** What `start()` and `stop()` have done so far; `/readyz` reads it too. */
interface LifecycleState {
  schedulerStarted: boolean;
  stopped: boolean;
  /** Stops the alert-webhook rounds (workers). */
  stopAlerts?: () => Promise<void>;
}

/** The host's own database, opened unless the caller brought one, and migrated. */
async function openHostDatabase(options: CreateHostAppOptions, logger: Logger): Promise<Database> {
  const { env } = options;
  const db =
    options.database ??
    (await openDatabase({ databaseUrl: env.databaseUrl, dataDir: env.dataDir, listener: logger }));
  await migrate(db);
  return db;
}

async function openVault(env: HostEnv, db: Database): Promise<{ masterKey: Buffer; vault: Vault }> {
  const masterKey = resolveMasterKey({ masterKey: env.masterKey, dataDir: env.dataDir });
  // Refuse to start on a master key other than the one that wrapped the stored tenant keys.
  await checkMasterKey({ db, masterKey: masterKey.key });
  return { masterKey: masterKey.key, vault: createVault({ db, masterKey }) };
}

function hostPlugins(result: PluginLoadResult): HostPlugins {
  const byId = mapOfUnique(
    'Loaded plugins',
    result.plugins.map((p) => [p.id, p] as const),
  );
  return {
    ...result,
    get: (id) => byId.get(id),
    replace(plugin) {
      byId.set(plugin.id, plugin);
      const index = this.plugins.findIndex((p) => p.id === plugin.id);
      if (index >= 0) this.plugins[index] = plugin;
    },
  };
}

async function loadHostPlugins(registryPath: string | undefined, logger: Logger): Promise<HostPlugins> {
  const plugins = hostPlugins(await loadPlugins(registryPath ? { registryPath } : {}));
  for (const issue of plugins.registryIssues)
    logger.error({ issue, registry: plugins.registryPath }, 'plugin registry is invalid');
  for (const refused of plugins.refused) {
    logger.warn({ dir: refused.dir, pluginId: refused.id, issues: refused.issues }, 'plugin refused');
  }
  logger.info({ plugins: plugins.plugins.map((p) => `${p.id}@${p.manifest.version}`) }, 'plugins loaded');
  return plugins;
}

/**
 * The scheduler, then the sync runtime on it. Every role gets a scheduler: api processes only
 * enqueue (manual sync, rescheduling), workers also poll and run jobs. Agenda connects lazily, so
 * an api process opens nothing until asked. The scheduler reports run outcomes to the sync engine
 * (failure policy, run history) through listeners the runtime subscribes to.
 */
function createSchedulerAndRuntime(input: {
  options: CreateHostAppOptions;
  role: HostRole;
  logger: Logger;
  db: Database;
  vault: Vault;
  masterKey: Buffer;
  plugins: HostPlugins;
  invoiceDocuments: InvoiceDocuments;
}): { scheduler: Scheduler; runtime: SyncRuntime } {
  const { options, logger, db } = input;
  const { env } = options;
  const processName = `${hostname()}:${process.pid}:${input.role}`;
  const runOutcomes = createRunFinishedListeners();
  const scheduler = createScheduler({
    db,
    mongodbUrl: env.mongodbUrl,
    logger,
    processName,
    onRunFinished: runOutcomes.notify,
    ...(options.schedulerPollMs ? { pollIntervalMs: options.schedulerPollMs } : {}),
    ...(options.schedulerRetryScale ? { retryDelayScale: options.schedulerRetryScale } : {}),
    ...(options.schedulerIntervalScale ? { intervalScale: options.schedulerIntervalScale } : {}),
  });
  const outboundStaleAfterMs = options.outboundStaleAfterMs ?? env.outboundStaleAfterMs;
  // Sync engine (lead): plugin context, runs, OAuth broker, public invoice links.
  const runtime = createSyncRuntime({
    db,
    vault: input.vault,
    logger,
    env,
    plugins: input.plugins,
    invoiceDocuments: input.invoiceDocuments,
    scheduler,
    runOutcomes,
    masterKey: input.masterKey,
    processName,
    configOverrides: options.configOverrides ?? new Map<string, Record<string, string>>(),
    ...(outboundStaleAfterMs ? { outboundStaleAfterMs } : {}),
    ...(options.schedulerRetryScale ? { retryDelayScale: options.schedulerRetryScale } : {}),
  });
  return { scheduler, runtime };
}

function readinessProbes(input: {
  db: Database;
  scheduler: Scheduler;
  role: HostRole;
  state: LifecycleState;
}): HostServices['readiness'] {
  const { db, scheduler, role, state } = input;
  return mapOfUnique<string, () => Promise<ReadinessCheck>>('Readiness probes', [
    [
      'database',
      async () => {
        await db.pool.query('select 1');
        return { name: 'database', ok: true, detail: db.kind };
      },
    ],
    [
      'scheduler',
      async () => {
        if (role === 'api')
          return { name: 'scheduler', ok: true, detail: `${scheduler.backend} (enqueue only)` };
        const started = state.schedulerStarted;
        return { name: 'scheduler', ok: started, detail: started ? scheduler.backend : 'not started' };
      },
    ],
  ]);
}

/** The API and console server (api/all roles): core routes, REST, webhooks and public invoice links. */
async function buildHttp(input: {
  services: HostServices;
  runtime: SyncRuntime;
  consoleDir: string | undefined;
}): Promise<FastifyInstance> {
  const { services, runtime } = input;
  const principals = createPrincipalResolver({ db: services.db, publicUrl: services.env.publicUrl });
  const resolvePrincipal = principals.resolve;
  return buildHttpServer({
    services,
    resolvePrincipal,
    renewedCookie: principals.renewedCookie,
    routes: [restRoutes({ services, resolvePrincipal }), (app) => runtime.routes(app)],
    consoleDir: input.consoleDir ?? resolve(REPO_ROOT, 'console/build'),
  });
}

async function startHost(input: {
  options: CreateHostAppOptions;
  role: HostRole;
  services: HostServices;
  scheduler: Scheduler;
  http: FastifyInstance | undefined;
  state: LifecycleState;
}): Promise<{ url: string | undefined }> {
  const { role, services, http } = input;
  const { env, logger, db } = services;
  if (input.options.warmPdfRenderer !== false)
    services.invoiceDocuments
      .warmUp()
      .catch((error: unknown) => logger.warn({ err: error }, 'PDF render threads did not start'));
  if (role !== 'api') {
    await input.scheduler.start();
    input.state.schedulerStarted = true;
    input.state.stopAlerts = startAlertWebhookLoop(
      services.alertWebhooks,
      env.alertWebhookIntervalMs,
      logger,
    );
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
}

async function stopHost(input: {
  services: HostServices;
  scheduler: Scheduler;
  http: FastifyInstance | undefined;
  state: LifecycleState;
  ownsDatabase: boolean;
}): Promise<void> {
  if (input.state.stopped) return;
  input.state.stopped = true;
  await input.state.stopAlerts?.();
  await input.http?.close();
  await input.scheduler.stop();
  await input.services.invoiceDocuments.close();
  if (input.ownsDatabase) await input.services.db.close();
}

/**
 * The composition root: builds every part once, in dependency order — database, vault, plugins,
 * scheduler, sync runtime, integrations, services, HTTP — each from the parts before it.
 */
export async function createHostApp(options: CreateHostAppOptions): Promise<HostApp> {
  const { env } = options;
  const role = options.role ?? 'all';
  const logger = options.logger ?? createLogger({ level: env.logLevel });
  const db = await openHostDatabase(options, logger);
  const { masterKey, vault } = await openVault(env, db);
  const plugins = await loadHostPlugins(options.registryPath, logger);
  const invoiceDocuments = new InvoiceDocuments({
    pool: db.pool,
    logger,
    templateSettings: invoiceTemplateSettings(plugins.plugins),
    ...(env.invoicePdfThreads === undefined ? {} : { threads: env.invoicePdfThreads }),
  });
  const { scheduler, runtime } = createSchedulerAndRuntime({
    options,
    role,
    logger,
    db,
    vault,
    masterKey,
    plugins,
    invoiceDocuments,
  });
  const state: LifecycleState = { schedulerStarted: false, stopped: false };
  const services: HostServices = {
    env,
    logger,
    db,
    version: HOST_VERSION,
    startedAt: new Date(),
    readiness: readinessProbes({ db, scheduler, role, state }),
    vault,
    plugins,
    scheduler,
    integrations: createIntegrationService({ db, vault, plugins, scheduler, logger, sync: runtime.sync }),
    sync: runtime.sync,
    oauth: runtime.oauth,
    invoiceDocuments,
    loginLimiter: createLoginLimiter({ deviceSecret: deviceCookieSecret(masterKey) }),
    alertWebhooks: createAlertWebhooks({ db, vault, logger, publicUrl: () => env.publicUrl }),
  };
  const http =
    role === 'worker' ? undefined : await buildHttp({ services, runtime, consoleDir: options.consoleDir });
  const ownsDatabase = !options.database;
  return {
    services,
    http,
    start: () => startHost({ options, role, services, scheduler, http, state }),
    stop: () => stopHost({ services, scheduler, http, state, ownsDatabase }),
  };
}
