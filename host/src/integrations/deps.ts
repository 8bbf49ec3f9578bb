import type { EntityManager } from '@mikro-orm/core';
import type { IIntegration } from '../db/entities/integration.entity.ts';
import { HostError, notFound } from '../errors.ts';
import type { HostPlugins, LoadedPlugin } from '../plugins/types.ts';
import { isPluginEnabled } from './enablement.ts';
import { jobSpecsFor } from './job-specs.ts';
import type { IntegrationDeps } from './ports.ts';

export type { IntegrationDeps } from './ports.ts';

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
