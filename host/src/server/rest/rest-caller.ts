import type { FastifyRequest } from 'fastify';
import type { HostServices } from '../../app/services.ts';
import type { Principal } from '../../auth/principal.ts';
import { credentialRefusal } from '../../auth/refusal.ts';
import { HostError, notFound } from '../../errors.ts';
import { availablePlugin } from '../../integrations/plugin-lookup.ts';
import type { LoadedPlugin } from '../../plugins/types.ts';
import type { ResolvePrincipal } from '../http-server.ts';

/** What every REST route is built with: the host's services and how to tell who is calling. */
export interface RestDeps {
  services: HostServices;
  resolvePrincipal: ResolvePrincipal;
}

export async function requirePrincipal(deps: RestDeps, request: FastifyRequest): Promise<Principal> {
  const principal = await deps.resolvePrincipal(request);
  if (!principal) {
    throw new HostError(
      'UNAUTHORIZED',
      credentialRefusal(request) ??
        'Send Authorization: Bearer <api token> (create one in the console under Settings → Profile → API tokens, or with `npm run host -- token create`).',
    );
  }
  return principal;
}

/**
 * The plugin named in the path, if the caller may use it: loaded and — for tenant users — not
 * switched off for their tenant. Anything else is 404, exactly like a plugin that does not exist.
 */
export async function callerPlugin(
  deps: RestDeps,
  principal: Principal,
  pluginId: string,
): Promise<LoadedPlugin> {
  const { services } = deps;
  if (!principal.tenantId) {
    const plugin = services.plugins.get(pluginId);
    if (!plugin) throw notFound(`The plugin '${pluginId}'`);
    return plugin;
  }
  return availablePlugin(services.plugins, {
    em: services.db.orm.em.fork(),
    tenantId: principal.tenantId,
    pluginId,
  });
}

/** An integration id in the path must belong to the plugin in the path. */
export function assertSamePlugin(integration: { pluginId: string }, pluginId: string): void {
  if (integration.pluginId !== pluginId) throw notFound('The integration');
}
