import type { FastifyInstance } from 'fastify';
import type { HostServices, OAuthHooks, SyncHooks } from '../app/services.ts';
import { invoiceTemplateSettings } from '../invoicing/invoice-templates.ts';
import { createInvoiceLinkSigner, type InvoiceLinkSigner } from '../invoicing/public-url.ts';
import { syncSchedule } from '../integrations/schedule.ts';
import { Integration } from '../db/entities/integration.entity.ts';
import { mayRunJobs } from '../integrations/enablement.ts';
import { createOAuthBroker } from '../oauth/oauth-broker.ts';
import { importRecords } from '../records/import.ts';
import { compiledMappingsFor } from '../records/mapping-engine.ts';
import { RateLimiter } from '../runtime/rate-limiter.ts';
import type { RunFinished, Scheduler } from '../scheduler/types.ts';
import { SyncEngine } from './sync-engine.ts';
import { createWebhookSigner, registerWebhookRoutes, type WebhookSigner } from './webhooks.ts';

export interface SyncRuntime {
  engine: SyncEngine;
  sync: SyncHooks;
  oauth: OAuthHooks;
  signer: InvoiceLinkSigner;
  /** Per-integration webhook URLs (shown to the seller, who registers them at the marketplace). */
  webhooks: WebhookSigner;
  onRunFinished(outcome: RunFinished): Promise<void>;
  /** `GET /public/invoices/:id/:token.pdf`: the unguessable link marketplaces download from. */
  routes(app: FastifyInstance): void;
}

/**
 * Builds the sync engine, the OAuth broker and the public invoice links over the host's services
 * (the composition root calls this once). `configOverrides` lets demo mode point plugins at
 * their sandboxes; it is read on every run, so it may be filled after start.
 */
export function createSyncRuntime(options: {
  services: HostServices;
  scheduler: Scheduler;
  masterKey: Buffer;
  processName: string;
  configOverrides: Map<string, Record<string, string>>;
  outboundStaleAfterMs?: number;
}): SyncRuntime {
  const { services, scheduler } = options;
  const { db, vault, logger } = services;
  // Read at call time: with PORT=0 the host learns its own URL only once it listens (host-app.ts).
  const publicUrlOf = {
    masterKey: options.masterKey,
    get publicUrl() {
      return services.env.publicUrl;
    },
  };
  const signer = createInvoiceLinkSigner(publicUrlOf);
  const engine = new SyncEngine({
    db,
    vault,
    logger,
    scheduler,
    limiter: new RateLimiter({ pool: db.coordination }),
    getPlugin: (id) => services.plugins.get(id),
    env: process.env,
    get publicUrl() {
      return services.env.publicUrl;
    },
    configOverrides: options.configOverrides,
    processName: options.processName,
    outboundStaleAfterMs: options.outboundStaleAfterMs ?? 120_000,
    clearancePluginIds: () =>
      services.plugins.plugins.filter((p) => p.manifest.documents?.deliveryAfterClearance).map((p) => p.id),
    signer,
    documents: services.invoiceDocuments,
    records: {
      importMany: (input) =>
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
          records: input.records,
          templateSetting: invoiceTemplateSettings([input.plugin]).get(input.plugin.id),
        }),
    },
  });
  engine.register();

  const schedule = async (integrationId: string) => {
    const em = db.orm.em.fork();
    const row = await em.findOneOrFail(Integration, { id: integrationId });
    await syncSchedule(
      { scheduler, logger },
      {
        row,
        plugin: services.plugins.get(row.pluginId),
        enabled: await mayRunJobs(em, row.tenantId, row.pluginId),
      },
    );
  };

  const pluginAndIntegration = async (integrationId: string, tenantId: string) => {
    const found = await engine.findIntegration(integrationId, tenantId);
    const plugin = found && services.plugins.get(found.pluginId);
    if (!found || !plugin) throw new Error(`Integration ${integrationId} or its plugin is not available.`);
    return { plugin, integration: found.ref };
  };

  const sync: SyncHooks = {
    trigger: (input) => engine.trigger(input),
    async testConnection({ integrationId, tenantId }) {
      const { plugin, integration } = await pluginAndIntegration(integrationId, tenantId);
      const hook = plugin.manifest.auth.testHook;
      if (!hook) return { ok: false, message: 'This connector has no connection test.' };
      return engine.callHook({ plugin, integration, hook });
    },
  };

  sync.runAction = async ({ integrationId, tenantId, hook, input }) => {
    const { plugin, integration } = await pluginAndIntegration(integrationId, tenantId);
    return engine.callHook({
      plugin,
      integration,
      hook,
      input,
      // Actions are short (one marketplace operation); a hung call should not hold the request.
      signal: AbortSignal.timeout(120_000),
    });
  };

  const webhooks = createWebhookSigner(publicUrlOf);
  sync.webhookUrl = (integrationId, webhookId) => webhooks.url(integrationId, webhookId);
  return {
    engine,
    sync,
    webhooks,
    oauth: createOAuthBroker({ db, vault, plugins: services.plugins, engine, logger, schedule }),
    signer,
    onRunFinished: (outcome) => engine.onRunFinished(outcome),
    routes(app) {
      registerWebhookRoutes(app, { db, plugins: services.plugins, engine, signer: webhooks, logger });
      app.get<{ Params: { id: string; token: string } }>(
        '/public/invoices/:id/:token',
        async (request, reply) => {
          const token = request.params.token.replace(/\.pdf$/, '');
          if (!/^[0-9a-f-]{36}$/.test(request.params.id) || !signer.verify(request.params.id, token)) {
            return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'No such invoice link.' } });
          }
          const pdf = await services.invoiceDocuments.pdf(request.params.id);
          if (!pdf)
            return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'No such invoice link.' } });
          return reply.type('application/pdf').send(pdf);
        },
      );
    },
  };
}
