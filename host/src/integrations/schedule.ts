// An integration's jobs on the scheduler, kept in step with its state.
import type { IIntegration } from '../db/entities/integration.entity.ts';
import { HostError } from '../errors.ts';
import type { LoadedPlugin } from '../plugins/types.ts';
import { jobSpecsFor } from './job-specs.ts';
import type { IntegrationDeps } from './ports.ts';

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
