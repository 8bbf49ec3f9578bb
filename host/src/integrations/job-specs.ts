import { toIntegrationJobSpec } from '../scheduler/index.ts';
import type { IntegrationJobSpec } from '../scheduler/types.ts';
import { switchedOffFlow } from '../plugins/flow-switch.ts';
import type { LoadedPlugin } from '../plugins/types.ts';

/**
 * The scheduler's view of a plugin's jobs for one integration (interval read from its settings);
 * a job whose flow the settings switch off is not scheduled.
 */
export function jobSpecsFor(plugin: LoadedPlugin, settings: Record<string, unknown>): IntegrationJobSpec[] {
  return plugin.manifest.jobs
    .filter((job) => !switchedOffFlow(plugin, job.flow, settings))
    .map((job) => toIntegrationJobSpec(job, settings));
}

const intervalOrNull = (plugin: LoadedPlugin, settings: Record<string, unknown>) =>
  plugin.manifest.jobs.map((job) => {
    if (switchedOffFlow(plugin, job.flow, settings)) return 'off';
    try {
      return toIntegrationJobSpec(job, settings).intervalMs;
    } catch {
      return null;
    }
  });

/** True when an update changes any job's interval or switches its flow, so the schedule must change too. */
export function intervalsChanged(
  plugin: LoadedPlugin,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): boolean {
  const a = intervalOrNull(plugin, before);
  const b = intervalOrNull(plugin, after);
  return a.some((value, i) => value !== b[i]);
}
