import type { EntityManager } from '@mikro-orm/core';
import type { HostPlugins, SyncHooks } from '../app/services.ts';
import type { IIntegration } from '../db/entities/integration.entity.ts';
import type { Database } from '../db/orm.ts';
import { HostError, notFound } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import type { LoadedPlugin } from '../plugins/types.ts';
import type { Scheduler } from '../scheduler/types.ts';
import type { Vault } from '../vault/index.ts';
import { isPluginEnabled } from './enablement.ts';
import { jobSpecsFor } from './job-specs.ts';

/** What the integration service's parts share. `sync` is read late: the sync engine may replace it. */
export interface IntegrationDeps {
  db: Database;
  vault: Vault;
  plugins: HostPlugins;
  scheduler: Scheduler | undefined;
  logger: Logger;
  sync: () => SyncHooks;
}

export const SETTINGS_CREDENTIAL = 'settings';

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

export const isRunnable = (row: IIntegration) => row.status === 'active' || row.status === 'degraded';

/**
 * Puts an integration's jobs on (or off) the scheduler after its state changed. Called after the
 * database transaction committed: the scheduler shares the embedded database's one connection.
 */
export async function syncSchedule(
  deps: IntegrationDeps,
  input: { row: IIntegration; plugin: LoadedPlugin | undefined; enabled: boolean },
): Promise<void> {
  const { scheduler } = deps;
  if (!scheduler) return;
  const { row, plugin } = input;
  try {
    if (plugin && input.enabled && isRunnable(row) && plugin.manifest.jobs.length > 0) {
      await scheduler.scheduleIntegrationJobs({
        integrationId: row.id,
        jobs: jobSpecsFor(plugin, row.settings),
      });
    } else {
      await scheduler.unscheduleIntegration(row.id);
    }
  } catch (error) {
    deps.logger.error({ err: error, integrationId: row.id }, 'could not update the integration schedule');
    throw new HostError(
      'SERVICE_UNAVAILABLE',
      'The change was saved but the scheduler could not be updated; try again in a moment.',
      { cause: error },
    );
  }
}
