import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { authorizationUrl } from '../../api/auth-url.ts';
import { isLocalPath, ReturnToSchema } from '../../api/return-to.ts';
import type { OAuthHooks } from '../../app/services.ts';
import { sessionHashOf } from '../../auth/session-hash.ts';
import { HostError } from '../../errors.ts';
import { callerPlugin, requirePrincipal, type RestDeps } from './rest-caller.ts';
import { parseInput } from './rest-input.ts';

type OAuthRoute = { Params: { pluginId: string }; Querystring: Record<string, string> };
type OAuthRequest = FastifyRequest<OAuthRoute>;

const AuthUrlQuery = z.object({
  integrationId: z.string().max(100).optional(),
  tenantId: z.uuid().optional(),
  returnTo: ReturnToSchema.optional(),
});

/** A plugin's OAuth endpoints under `/api/v1/<pluginId>/auth/`: the authorization link and its callback. */
export function registerPluginOAuthRoutes(app: FastifyInstance, deps: RestDeps): void {
  app.get<OAuthRoute>('/api/v1/:pluginId/auth/url', (request) => authUrl(deps, request));

  // The marketplace redirects the browser here. The single-use `state` names the tenant, user and
  // console session that started it; the broker accepts it only from that session (or, when an
  // API token started it, from the same user), so nobody can complete another person's link.
  app.get<OAuthRoute>('/api/v1/:pluginId/auth/callback', (request, reply) => callback(deps, request, reply));
}

async function authUrl(deps: RestDeps, request: OAuthRequest) {
  const principal = await requirePrincipal(deps, request);
  await callerPlugin(deps, principal, request.params.pluginId);
  const query = parseInput(AuthUrlQuery, request.query, 'query string');
  return authorizationUrl({
    services: deps.services,
    principal,
    pluginId: request.params.pluginId,
    ...(query.integrationId ? { integrationId: query.integrationId } : {}),
    ...(query.tenantId ? { tenantId: query.tenantId } : {}),
    ...(query.returnTo ? { returnTo: query.returnTo } : {}),
    sessionHash: sessionHashOf(request),
  });
}

async function callback(deps: RestDeps, request: OAuthRequest, reply: FastifyReply) {
  const broker = callbackBroker(deps, request.params.pluginId);
  try {
    return reply.redirect(await completeCallback(deps, { request, broker }), 303);
  } catch (error) {
    // A person's browser lands here from the marketplace: show the reason in the console
    // (forged, replayed or expired state, a refused code, a declined consent), not raw JSON.
    if (!(error instanceof HostError) || error.status >= 500) throw error;
    return reply.redirect(`/settings/integrations?error=${encodeURIComponent(error.message)}`, 303);
  }
}

/** The broker that completes a callback for this plugin; outside the redirect to the console on purpose. */
function callbackBroker(deps: RestDeps, pluginId: string): OAuthHooks {
  const { services } = deps;
  if (!services.plugins.get(pluginId)) {
    throw new HostError('NOT_FOUND', `The plugin '${pluginId}' was not found.`);
  }
  return services.oauth;
}

/** Hands the callback to the broker; returns where to send the browser next. */
async function completeCallback(
  deps: RestDeps,
  input: { request: OAuthRequest; broker: OAuthHooks },
): Promise<string> {
  const { request } = input;
  const query = request.query;
  const { state } = parseInput(z.object({ state: z.string().min(1).max(500) }), query, 'callback query');
  const code =
    query.code === undefined ? undefined : parseInput(z.string().min(1).max(2000), query.code, 'code');
  const principal = await deps.resolvePrincipal(request);
  const result = await input.broker.callback({
    pluginId: request.params.pluginId,
    state,
    caller: {
      userId: principal?.userId ?? null,
      sessionHash: principal ? sessionHashOf(request) : null,
    },
    ...(code ? { code } : {}),
    ...(query.error ? { error: query.error.slice(0, 200) } : {}),
  });
  return result.returnTo && isLocalPath(result.returnTo)
    ? result.returnTo
    : `/settings/integrations?connected=${encodeURIComponent(result.integrationId)}`;
}
