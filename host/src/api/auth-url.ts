import type { HostServices } from '../app/services.ts';
import type { Principal } from '../auth/principal.ts';
import { HostError } from '../errors.ts';
import { actingTenantId, findAccessibleIntegration } from '../integrations/access.ts';
import { availablePlugin } from '../integrations/plugin-lookup.ts';

/**
 * The marketplace's authorization URL for connecting (or reconnecting) an account. The OAuth
 * broker builds it (state + PKCE); this checks what the caller may do before asking it.
 */
export async function authorizationUrl(input: {
  services: HostServices;
  principal: Principal;
  pluginId: string;
  integrationId?: string;
  tenantId?: string;
  returnTo?: string;
  /** The console session asking (null for an API token): the callback must come from it. */
  sessionHash: string | null;
}): Promise<{ url: string }> {
  const { services, principal } = input;
  const em = services.db.orm.em.fork();
  let tenantId: string;
  if (input.integrationId) {
    const row = await findAccessibleIntegration(em, principal, input.integrationId);
    if (row.pluginId !== input.pluginId) {
      throw new HostError(
        'BAD_REQUEST',
        `Integration ${row.id} belongs to '${row.pluginId}', not '${input.pluginId}'.`,
      );
    }
    tenantId = row.tenantId;
  } else {
    tenantId = actingTenantId(principal, input.tenantId);
  }
  const plugin = await availablePlugin(services.plugins, { em, tenantId, pluginId: input.pluginId });
  if (plugin.manifest.auth.type !== 'oauth2') {
    throw new HostError(
      'BAD_REQUEST',
      `${plugin.manifest.name} is not an OAuth plugin: create the integration with its credentials instead.`,
    );
  }
  return services.oauth.authUrl({
    principal,
    tenantId,
    pluginId: input.pluginId,
    ...(input.integrationId ? { integrationId: input.integrationId } : {}),
    ...(input.returnTo ? { returnTo: input.returnTo } : {}),
    sessionHash: input.sessionHash,
  });
}
