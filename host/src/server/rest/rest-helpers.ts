import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { zodIssues } from '../../api/trpc.ts';
import type { HostServices } from '../../app/services.ts';
import type { Principal } from '../../auth/principal.ts';
import { credentialRefusal } from '../../auth/refusal.ts';
import { HostError, notFound } from '../../errors.ts';
import { availablePlugin } from '../../integrations/plugin-lookup.ts';
import type { LoadedPlugin } from '../../plugins/types.ts';
import type { ResolvePrincipal } from '../http-server.ts';

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

/** Validates a body or query with zod; issues point into it (`/settings/…`). */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success)
    throw new HostError('BAD_REQUEST', `The ${what} is invalid.`, { issues: zodIssues(parsed.error) });
  return parsed.data;
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
