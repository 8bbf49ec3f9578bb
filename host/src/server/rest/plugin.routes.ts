import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { authorizationUrl } from '../../api/auth-url.ts';
import { isLocalPath, ReturnToSchema } from '../../api/return-to.ts';
import { HostError } from '../../errors.ts';
import { sessionHashOf } from '../../auth/session-hash.ts';
import {
  assertSamePlugin,
  callerPlugin,
  parseInput,
  requirePrincipal,
  type RestDeps,
} from './rest-helpers.ts';

type PluginParams = { pluginId: string };
type IdParams = PluginParams & { integrationId: string };

const SettingsBody = z.object({ settings: z.record(z.string(), z.unknown()) });
const CreateBody = SettingsBody.extend({
  label: z.string().max(200).optional(),
  tenantId: z.uuid().optional(),
});

/**
 * The seeds' REST endpoints (SPEC "Interfaces"), answered generically for every plugin under
 * `/api/v1/<pluginId>/`: nothing here knows a plugin by name.
 */
export function registerPluginRoutes(app: FastifyInstance, deps: RestDeps): void {
  const { services } = deps;
  const integrations = () => services.integrations;

  /** Caller, plugin and integration of a `…/:integrationId` route, checked in that order. */
  async function scoped(request: FastifyRequest<{ Params: IdParams }>) {
    const principal = await requirePrincipal(deps, request);
    await callerPlugin(deps, principal, request.params.pluginId);
    const integration = await integrations().get({ principal, id: request.params.integrationId });
    assertSamePlugin(integration, request.params.pluginId);
    return { principal, integration };
  }

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

  app.get<{ Params: PluginParams; Querystring: Record<string, string> }>(
    '/api/v1/:pluginId/auth/url',
    async (request) => {
      const principal = await requirePrincipal(deps, request);
      await callerPlugin(deps, principal, request.params.pluginId);
      const query = parseInput(
        z.object({
          integrationId: z.string().max(100).optional(),
          tenantId: z.uuid().optional(),
          returnTo: ReturnToSchema.optional(),
        }),
        request.query,
        'query string',
      );
      return authorizationUrl({
        services,
        principal,
        pluginId: request.params.pluginId,
        ...(query.integrationId ? { integrationId: query.integrationId } : {}),
        ...(query.tenantId ? { tenantId: query.tenantId } : {}),
        ...(query.returnTo ? { returnTo: query.returnTo } : {}),
        sessionHash: sessionHashOf(request),
      });
    },
  );

  // The marketplace redirects the browser here. The single-use `state` names the tenant, user and
  // console session that started it; the broker accepts it only from that session (or, when an
  // API token started it, from the same user), so nobody can complete another person's link.
  app.get<{ Params: PluginParams; Querystring: Record<string, string> }>(
    '/api/v1/:pluginId/auth/callback',
    async (request, reply) => {
      if (!services.plugins.get(request.params.pluginId)) {
        throw new HostError('NOT_FOUND', `The plugin '${request.params.pluginId}' was not found.`);
      }
      if (!services.oauth) {
        throw new HostError(
          'PRECONDITION_FAILED',
          'The OAuth broker is not running in this host yet; OAuth connections are unavailable.',
        );
      }
      const query = request.query;
      try {
        const { state } = parseInput(
          z.object({ state: z.string().min(1).max(500) }),
          query,
          'callback query',
        );
        const code =
          query.code === undefined ? undefined : parseInput(z.string().min(1).max(2000), query.code, 'code');
        const principal = await deps.resolvePrincipal(request);
        const result = await services.oauth.callback({
          pluginId: request.params.pluginId,
          state,
          caller: {
            userId: principal?.userId ?? null,
            sessionHash: principal ? sessionHashOf(request) : null,
          },
          ...(code ? { code } : {}),
          ...(query.error ? { error: query.error.slice(0, 200) } : {}),
        });
        const to =
          result.returnTo && isLocalPath(result.returnTo)
            ? result.returnTo
            : `/settings/integrations?connected=${encodeURIComponent(result.integrationId)}`;
        return reply.redirect(to, 303);
      } catch (error) {
        // A person's browser lands here from the marketplace: show the reason in the console
        // (forged, replayed or expired state, a refused code, a declined consent), not raw JSON.
        if (!(error instanceof HostError) || error.status >= 500) throw error;
        return reply.redirect(`/settings/integrations?error=${encodeURIComponent(error.message)}`, 303);
      }
    },
  );

  app.get<{ Params: IdParams }>('/api/v1/:pluginId/status/:integrationId', async (request) => {
    const { principal, integration } = await scoped(request);
    return integrations().status({ principal, id: integration.id });
  });

  app.post<{ Params: IdParams }>('/api/v1/:pluginId/sync/:integrationId', async (request, reply) => {
    const { principal, integration } = await scoped(request);
    const body = parseInput(
      z.object({ jobId: z.string().min(1).max(64).optional() }),
      request.body,
      'request body',
    );
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
      const { principal, integration } = await scoped(request);
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
    const { principal, integration } = await scoped(request);
    const view = await integrations().deactivate({ principal, id: integration.id });
    return { success: true, status: view.status, statusReason: view.statusReason };
  });

  app.get<{ Params: IdParams }>('/api/v1/:pluginId/settings/:integrationId', async (request) => {
    const { principal, integration } = await scoped(request);
    const view = await integrations().getSettings({ principal, id: integration.id });
    return { settings: view.settings, secretsSet: view.secretsSet };
  });

  app.put<{ Params: IdParams }>('/api/v1/:pluginId/settings/:integrationId', async (request) => {
    const { principal, integration } = await scoped(request);
    const body = parseInput(SettingsBody, request.body, 'request body');
    return integrations().updateSettings({ principal, id: integration.id, settings: body.settings });
  });
}
