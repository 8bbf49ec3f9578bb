import type { ManifestIssue } from '@mch/schemas';
import type { PluginLoadResult } from './types.ts';

export interface PluginSummary {
  id: string;
  name: string;
  version: string;
  description?: string;
  auth: string;
  flows: { id: string; title: string; direction: string }[];
  /** The settings JSON Schema the console renders. */
  settingsSchema: Record<string, unknown>;
}

export interface PluginCatalog {
  plugins: PluginSummary[];
  refused: { dir: string; id?: string; issues: ManifestIssue[] }[];
  registryIssues: ManifestIssue[];
}

/** What the API shows about plugins: the loaded ones and every refused one with its issues. */
export function pluginCatalog(result: PluginLoadResult): PluginCatalog {
  return {
    plugins: result.plugins.map(({ manifest }) => ({
      id: manifest.id,
      name: manifest.name,
      version: manifest.version,
      ...(manifest.description === undefined ? {} : { description: manifest.description }),
      auth: manifest.auth.type,
      flows: manifest.flows.map(({ id, title, direction }) => ({ id, title, direction })),
      settingsSchema: manifest.settings,
    })),
    refused: result.refused.map(({ dir, id, issues }) => ({
      dir,
      ...(id === undefined ? {} : { id }),
      issues,
    })),
    registryIssues: result.registryIssues,
  };
}
