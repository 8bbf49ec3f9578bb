import type { FastifyInstance } from 'fastify';
import type { OAuthHooks } from '../app/services.ts';
import type { HostEnv } from '../config/env.ts';
import { Integration } from '../db/entities/integration.entity.ts';
import type { Database } from '../db/orm.ts';
import { mayRunJobs } from '../integrations/enablement.ts';
import type { SyncHooks } from '../integrations/ports.ts';
import { syncSchedule } from '../integrations/schedule.ts';
import type { InvoiceDocuments } from '../invoicing/invoice-documents.ts';
import { invoiceTemplateSettings } from '../invoicing/invoice-templates.ts';
import { createInvoiceLinkSigner, type InvoiceLinkSigner } from '../invoicing/public-url.ts';
import type { Logger } from '../logging/logger.ts';
import { createOAuthBroker } from '../oauth/oauth-broker.ts';
import type { HostPlugins } from '../plugins/types.ts';
import { importRecords } from '../records/import.ts';
import { runConnectionTest } from './connection-test.ts';
import { compiledMappingsFor } from '../records/mapping-engine.ts';
import { RateLimiter } from '../runtime/rate-limiter.ts';
import type { RunFinished, Scheduler } from '../scheduler/types.ts';
import type { Vault } from '../vault/index.ts';
import { SyncEngine, type SyncEngineOptions } from './sync-engine.ts';
import { createWebhookSigner, registerWebhookRoutes, type WebhookSigner } from './webhooks.ts';

export interface SyncRuntime {
  engine: SyncEngine;
  sync: SyncHooks;
  oauth: OAuthHooks;
  signer: InvoiceLinkSigner;
  /** Per-integration webhook URLs (shown to the seller, who registers them at the marketplace). */
  webhooks: WebhookSigner;
  /** `GET /public/invoices/:id/:token.pdf`: the unguessable link marketplaces download from. */
  routes(app: FastifyInstance): void;
}

/** Where the runtime hears how each scheduled run ended (the scheduler's outcomes, host-app.ts). */
export interface RunOutcomes {
  onRunFinished(listener: (outcome: RunFinished) => Promise<void>): void;
}

export interface SyncRuntimeDeps {
  db: Database;
  vault: Vault;
  logger: Logger;
  /** `publicUrl` is read at call time: with PORT=0 the host learns its URL only once it listens. */
  env: Pick<HostEnv, 'publicUrl'>;
  plugins: HostPlugins;
  invoiceDocuments: InvoiceDocuments;
  scheduler: Scheduler;
  runOutcomes: RunOutcomes;
  masterKey: Buffer;
  processName: string;
  /** Read on every run, so demo mode may fill it after start to point plugins at their sandboxes. */
  configOverrides: Map<string, Record<string, string>>;
  outboundStaleAfterMs?: number;
  /** Multiplies the plugin HTTP client's retry pauses (tests shorten them; default 1). */
  retryDelayScale?: number;
}

/** The master key and the host's public URL, read late (see `SyncRuntimeDeps.env`). */
function urlKeys(deps: SyncRuntimeDeps): { masterKey: Buffer; readonly publicUrl: string } {
  return {
    masterKey: deps.masterKey,
    get publicUrl() {
      return deps.env.publicUrl;
    },
  };
}

/** Imports a page of marketplace records through the plugin's manifest mappings. */
const importThroughMappings =
  (db: Database): SyncEngineOptions['records']['importMany'] =>
  (input) =>
    importRecords({
      db,
      tenantId: input.tenantId,
      integrationId: input.integrationId,
      pluginId: input.pluginId,
      mappingName: input.mapping,
      mappings: compiledMappingsFor({
        pluginId: input.plugin.id,
        version: input.plugin.manifest.version,
        mappings: input.plugin.manifest.mappings,
      }),
      settings: input.settings,
      switches: input.plugin.manifest.switches,
      records: input.records,
      templateSetting: invoiceTemplateSettings([input.plugin]).get(input.plugin.id),
    });

function createEngine(deps: SyncRuntimeDeps, signer: InvoiceLinkSigner): SyncEngine {
  const { db, plugins } = deps;
  return new SyncEngine({
    db,
    vault: deps.vault,
    logger: deps.logger,
    scheduler: deps.scheduler,
    limiter: new RateLimiter({ pool: db.coordination }),
    getPlugin: (id) => plugins.get(id),
    env: process.env,
    get publicUrl() {
      return deps.env.publicUrl;
    },
    configOverrides: deps.configOverrides,
    processName: deps.processName,
    outboundStaleAfterMs: deps.outboundStaleAfterMs ?? 120_000,
    ...(deps.retryDelayScale ? { httpRetryScale: deps.retryDelayScale } : {}),
    clearancePluginIds: () =>
      plugins.plugins.filter((p) => p.manifest.documents?.deliveryAfterClearance).map((p) => p.id),
    signer,
    documents: deps.invoiceDocuments,
    records: { importMany: importThroughMappings(db) },
  });
}

/** Puts a (new or renewed) integration's jobs on the scheduler: what the OAuth broker calls. */
async function scheduleIntegration(deps: SyncRuntimeDeps, integrationId: string): Promise<void> {
  const em = deps.db.orm.em.fork();
  const row = await em.findOneOrFail(Integration, { id: integrationId });
  await syncSchedule(
    { scheduler: deps.scheduler, logger: deps.logger },
    {
      row,
      plugin: deps.plugins.get(row.pluginId),
      enabled: await mayRunJobs(em, row.tenantId, row.pluginId),
    },
  );
}

/** The sync engine's face to the API: runs, connection tests, actions and webhook URLs. */
function createSyncHooks(
  deps: SyncRuntimeDeps,
  input: { engine: SyncEngine; webhooks: WebhookSigner },
): SyncHooks {
  const { engine, webhooks } = input;
  const pluginAndIntegration = async (integrationId: string, tenantId: string) => {
    const found = await engine.findIntegration(integrationId, tenantId);
    const plugin = found && deps.plugins.get(found.pluginId);
    if (!found || !plugin) throw new Error(`Integration ${integrationId} or its plugin is not available.`);
    return { plugin, integration: found.ref };
  };
  return {
    trigger: (trigger) => engine.trigger(trigger),
    async testConnection({ integrationId, tenantId }) {
      const { plugin, integration } = await pluginAndIntegration(integrationId, tenantId);
      const { test, testHook } = plugin.manifest.auth;
      if (test)
        return runConnectionTest(engine.contextFor({ plugin, integration }), {
          test,
          name: plugin.manifest.name,
        });
      if (!testHook) return { ok: false, message: 'This connector has no connection test.' };
      return engine.callHook({ plugin, integration, hook: testHook });
    },
    async runAction({ integrationId, tenantId, hook, input: actionInput }) {
      const { plugin, integration } = await pluginAndIntegration(integrationId, tenantId);
      return engine.callHook({
        plugin,
        integration,
        hook,
        input: actionInput,
        // Actions are short (one marketplace operation); a hung call should not hold the request.
        signal: AbortSignal.timeout(120_000),
      });
    },
    webhookUrl: (integrationId, webhookId) => webhooks.url(integrationId, webhookId),
  };
}

/** Webhook calls and `GET /public/invoices/:id/:token.pdf`, the links marketplaces download from. */
function registerRuntimeRoutes(
  app: FastifyInstance,
  deps: SyncRuntimeDeps,
  input: { engine: SyncEngine; signer: InvoiceLinkSigner; webhooks: WebhookSigner },
): void {
  const { db, plugins, logger, invoiceDocuments } = deps;
  const { engine, signer } = input;
  registerWebhookRoutes(app, { db, plugins, engine, signer: input.webhooks, logger });
  app.get<{ Params: { id: string; token: string } }>(
    '/public/invoices/:id/:token',
    async (request, reply) => {
      const token = request.params.token.replace(/\.pdf$/, '');
      if (!/^[0-9a-f-]{36}$/.test(request.params.id) || !signer.verify(request.params.id, token)) {
        return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'No such invoice link.' } });
      }
      const pdf = await invoiceDocuments.pdf(request.params.id);
      if (!pdf)
        return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'No such invoice link.' } });
      return reply.type('application/pdf').send(pdf);
    },
  );
}

/**
 * Builds the sync engine, the OAuth broker and the public invoice links once, on the scheduler
 * (which it defines its job kind on and hears run outcomes from), for the composition root.
 */
export function createSyncRuntime(deps: SyncRuntimeDeps): SyncRuntime {
  const signer = createInvoiceLinkSigner(urlKeys(deps));
  const webhooks = createWebhookSigner(urlKeys(deps));
  const engine = createEngine(deps, signer);
  engine.register();
  deps.runOutcomes.onRunFinished((outcome) => engine.onRunFinished(outcome));
  const { db, vault, plugins, logger } = deps;
  return {
    engine,
    sync: createSyncHooks(deps, { engine, webhooks }),
    webhooks,
    oauth: createOAuthBroker({
      db,
      vault,
      plugins,
      engine,
      logger,
      schedule: (integrationId) => scheduleIntegration(deps, integrationId),
    }),
    signer,
    routes: (app) => registerRuntimeRoutes(app, deps, { engine, signer, webhooks }),
  };
}
