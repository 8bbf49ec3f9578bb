import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { registerPluginOAuthRoutes } from './plugin-oauth.routes.ts';
import { assertSamePlugin, callerPlugin, requirePrincipal, type RestDeps } from './rest-caller.ts';
import { parseInput } from './rest-input.ts';

type PluginParams = { pluginId: string };
type IdParams = PluginParams & { integrationId: string };

const SettingsBody = z.object({ settings: z.record(z.string(), z.unknown()) });
const CreateBody = SettingsBody.extend({
  label: z.string().max(200).optional(),
  tenantId: z.uuid().optional(),
});
const SyncBody = z.object({ jobId: z.string().min(1).max(64).optional() });

/**
 * The seeds' REST endpoints (SPEC "Interfaces"), answered generically for every plugin under
 * `/api/v1/<pluginId>/`: nothing here knows a plugin by name.
 */
export function registerPluginRoutes(app: FastifyInstance, deps: RestDeps): void {
  registerCollectionRoutes(app, deps);
  registerPluginOAuthRoutes(app, deps);
  registerIntegrationRoutes(app, deps);
}

/** Caller, plugin and integration of a `…/:integrationId` route, checked in that order. */
async function scoped(deps: RestDeps, request: FastifyRequest<{ Params: IdParams }>) {
  const principal = await requirePrincipal(deps, request);
  await callerPlugin(deps, principal, request.params.pluginId);
  const integration = await deps.services.integrations.get({ principal, id: request.params.integrationId });
  assertSamePlugin(integration, request.params.pluginId);
  return { principal, integration };
}

/** A plugin's integrations: list and create. */
function registerCollectionRoutes(app: FastifyInstance, deps: RestDeps): void {
  const integrations = () => deps.services.integrations;

  app.get<{ Params: PluginParams }>('/api/v1/:pluginId/integrations', async (request) => {
    const principal = await requirePrincipal(deps, request);
    await callerPlugin(deps, principal, request.params.pluginId);
    return integrations().list({ principal, pluginId: request.params.pluginId });
  });

  app.post<{ Params: PluginParams }>('/api/v1/:pluginId/integrations', async (request, reply) => {
    const principal = await requirePrincipal(deps, request);
    await callerPlugin(deps, principal, request.params.pluginId);
    const body = parseInput(CreateBody, request.body, 'request body');
    const created = await integrations().create({
      principal,
      pluginId: request.params.pluginId,
      settings: body.settings,
      ...(body.label ? { label: body.label } : {}),
      ...(body.tenantId ? { tenantId: body.tenantId } : {}),
    });
    return reply.code(201).send({ id: created.id, status: created.status });
  });
}

/** One integration of a plugin: status, sync, actions, deactivation and settings. */
function registerIntegrationRoutes(app: FastifyInstance, deps: RestDeps): void {
  const integrations = () => deps.services.integrations;

  app.get<{ Params: IdParams }>('/api/v1/:pluginId/status/:integrationId', async (request) => {
    const { principal, integration } = await scoped(deps, request);
    return integrations().status({ principal, id: integration.id });
  });

  app.post<{ Params: IdParams }>('/api/v1/:pluginId/sync/:integrationId', async (request, reply) => {
    const { principal, integration } = await scoped(deps, request);
    const body = parseInput(SyncBody, request.body, 'request body');
    const result = await integrations().syncNow({
      principal,
      id: integration.id,
      ...(body.jobId ? { jobId: body.jobId } : {}),
    });
    return reply.code(202).send(result);
  });

  /** Manifest actions (cancel an order, move a return…): the body is the action's input. */
  app.post<{ Params: IdParams & { action: string } }>(
    '/api/v1/:pluginId/actions/:integrationId/:action',
    async (request) => {
      const { principal, integration } = await scoped(deps, request);
      const result = await integrations().runAction({
        principal,
        id: integration.id,
        action: request.params.action,
        input: request.body ?? {},
      });
      return { success: true, result: result ?? null };
    },
  );

  app.post<{ Params: IdParams }>('/api/v1/:pluginId/deactivate/:integrationId', async (request) => {
    const { principal, integration } = await scoped(deps, request);
    const view = await integrations().deactivate({ principal, id: integration.id });
    return { success: true, status: view.status, statusReason: view.statusReason };
  });

  app.get<{ Params: IdParams }>('/api/v1/:pluginId/settings/:integrationId', async (request) => {
    const { principal, integration } = await scoped(deps, request);
    const view = await integrations().getSettings({ principal, id: integration.id });
    return { settings: view.settings, secretsSet: view.secretsSet };
  });

  app.put<{ Params: IdParams }>('/api/v1/:pluginId/settings/:integrationId', async (request) => {
    const { principal, integration } = await scoped(deps, request);
    const body = parseInput(SettingsBody, request.body, 'request body');
    return integrations().updateSettings({ principal, id: integration.id, settings: body.settings });
  });
}
