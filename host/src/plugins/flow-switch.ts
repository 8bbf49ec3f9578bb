import type { LoadedPlugin } from './types.ts';

/**
 * The flow a job or an action belongs to, when the integration's settings switch it off (its
 * manifest `flows[].setting` is `false`); undefined while it is on or has no switch. The manifest
 * promises that switching a flow off skips its jobs and refuses its actions (schemas: jobs
 * `flow`, actions `flow`): the host holds to it, so a plugin need not check its own switches.
 */
export function switchedOffFlow(
  plugin: LoadedPlugin,
  flowId: string | undefined,
  settings: Record<string, unknown>,
): { id: string; title: string; setting: string } | undefined {
  if (!flowId) return undefined;
  const flow = plugin.manifest.flows.find((f) => f.id === flowId);
  if (!flow?.setting || settings[flow.setting] !== false) return undefined;
  return { id: flow.id, title: flow.title, setting: flow.setting };
}
