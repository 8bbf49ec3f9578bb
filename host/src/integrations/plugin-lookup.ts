// Which plugin an integration request may use: enabled for the tenant, and loaded.
import type { EntityManager } from '@mikro-orm/core';
import type { IIntegration } from '../db/entities/integration.entity.ts';
import { HostError, notFound } from '../errors.ts';
import type { HostPlugins, LoadedPlugin } from '../plugins/types.ts';
import { isPluginEnabled } from './enablement.ts';
import type { IntegrationDeps } from './ports.ts';

/** A plugin the tenant may use: loaded and not switched off for it; otherwise 404 (as if unknown). */
export async function availablePlugin(
  plugins: HostPlugins,
  input: { em: EntityManager; tenantId: string; pluginId: string },
): Promise<LoadedPlugin> {
  const plugin = plugins.get(input.pluginId);
  if (!plugin || !(await isPluginEnabled(input.em, input.tenantId, input.pluginId))) {
    throw notFound(`The plugin '${input.pluginId}'`);
  }
  return plugin;
}

/** The plugin of an existing integration; a plugin refused at load leaves it unusable for now. */
export function pluginOf(deps: IntegrationDeps, row: IIntegration): LoadedPlugin {
  const plugin = deps.plugins.get(row.pluginId);
  if (!plugin) {
    throw new HostError(
      'PRECONDITION_FAILED',
      `The plugin '${row.pluginId}' is not loaded (see plugins.catalog for why); fix it and restart the host.`,
    );
  }
  return plugin;
}

/**
 * Refuses (412) work on an integration whose connector is switched off for its tenant: settings,
 * connection tests and syncs of a switched-off connector must not run (issue 11). Platform admins
 * may still read and fix settings (`forTenantUsersOnly`).
 */
export async function assertConnectorOn(
  deps: IntegrationDeps,
  input: { em: EntityManager; row: IIntegration; plugin: LoadedPlugin; principalTenantId?: string | null },
): Promise<void> {
  if (input.principalTenantId === null) return;
  if (await isPluginEnabled(input.em, input.row.tenantId, input.row.pluginId)) return;
  throw new HostError(
    'PRECONDITION_FAILED',
    `The ${input.plugin.manifest.name} connector is switched off for this tenant; ask your platform admin to switch it on.`,
  );
}
