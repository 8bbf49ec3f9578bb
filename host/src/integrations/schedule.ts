// An integration's jobs on the scheduler, kept in step with its state.
import { Integration, type IIntegration } from '../db/entities/integration.entity.ts';
import { HostError } from '../errors.ts';
import type { LoadedPlugin } from '../plugins/types.ts';
import { mayRunJobs } from './enablement.ts';
import { jobSpecsFor } from './job-specs.ts';
import type { IntegrationDeps } from './ports.ts';

export const isRunnable = (row: IIntegration) => row.status === 'active' || row.status === 'degraded';

/**
 * Puts an integration's jobs on (or off) the scheduler after its state changed. Called after the
 * database transaction committed: the scheduler shares the embedded database's one connection.
 */
export async function syncSchedule(
  deps: Pick<IntegrationDeps, 'scheduler' | 'logger'>,
  input: { row: IIntegration; plugin: LoadedPlugin | undefined; enabled: boolean },
): Promise<void> {
  const { scheduler } = deps;
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

/**
 * Puts every integration of a tenant on (or off) the scheduler after the tenant was disabled or
 * enabled again: a disabled tenant's jobs stop, and come back when it is enabled.
 */
export async function syncTenantSchedules(
  deps: Pick<IntegrationDeps, 'db' | 'plugins' | 'scheduler' | 'logger'>,
  tenantId: string,
): Promise<number> {
  const em = deps.db.orm.em.fork();
  const rows = await em.find(Integration, { tenantId });
  // Every integration is tried (each failure is logged by syncSchedule); the first failure is
  // reported after, so a retry of the same change finishes the job.
  let failure: Error | undefined;
  for (const row of rows) {
    try {
      await syncSchedule(deps, {
        row,
        plugin: deps.plugins.get(row.pluginId),
        enabled: await mayRunJobs(em, row.tenantId, row.pluginId),
      });
    } catch (error) {
      failure ??= error instanceof Error ? error : new Error('The scheduler could not be updated.');
    }
  }
  if (failure) throw failure;
  return rows.length;
}

/**
 * Puts every integration of a plugin on the scheduler again after the plugin changed in a running
 * host (`start --watch-plugins`): a job added, removed or given another interval in the manifest
 * is scheduled, unscheduled or rescheduled for every account at once. Returns how many
 * integrations were gone through.
 */
export async function syncPluginSchedules(
  deps: Pick<IntegrationDeps, 'db' | 'scheduler' | 'logger'>,
  plugin: LoadedPlugin,
): Promise<number> {
  const em = deps.db.orm.em.fork();
  const rows = await em.find(Integration, { pluginId: plugin.id });
  let failure: Error | undefined;
  for (const row of rows) {
    try {
      await syncSchedule(deps, { row, plugin, enabled: await mayRunJobs(em, row.tenantId, row.pluginId) });
    } catch (error) {
      failure ??= error instanceof Error ? error : new Error('The scheduler could not be updated.');
    }
  }
  if (failure) throw failure;
  return rows.length;
}
