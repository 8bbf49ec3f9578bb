import { resolve } from 'node:path';
import { ManifestErrorCode } from '@mch/schemas';
import { HOST_VERSION } from '../app/version.ts';
import { loadPluginDir } from './load-plugin.ts';
import { DEFAULT_REGISTRY_PATH } from './paths.ts';
import { readRegistry } from './registry-file.ts';
import type { LoadedPlugin, PluginLoadResult, RefusedPlugin } from './types.ts';

export interface LoadPluginsOptions {
  /** Registry file; default: the repository's root plugin.manifest.json. */
  registryPath?: string;
  /** Version the manifests' `host` ranges are checked against; default: host/package.json. */
  hostVersion?: string;
}

/**
 * Reads the registry and loads every plugin it lists (SPEC "The manifest"): a bad plugin is
 * refused with all its issues and the others still load; a second plugin with an id already
 * loaded is refused rather than silently replacing the first (STYLE: no silent overrides).
 */
export async function loadPlugins(options: LoadPluginsOptions = {}): Promise<PluginLoadResult> {
  const registryPath = resolve(options.registryPath ?? DEFAULT_REGISTRY_PATH);
  const hostVersion = options.hostVersion ?? HOST_VERSION;
  const registry = await readRegistry(registryPath);
  if (!registry.ok) return { registryPath, registryIssues: registry.issues, plugins: [], refused: [] };

  // Loaded one after another: each import may be slow, but order of results (and of which
  // duplicate wins) must follow the registry.
  const plugins: LoadedPlugin[] = [];
  const refused: RefusedPlugin[] = [];
  for (const dir of registry.dirs) {
    const result = await loadPluginDir({ dir, hostVersion });
    if (!result.ok) {
      refused.push(result.refused);
      continue;
    }
    const first = plugins.find((plugin) => plugin.id === result.plugin.id);
    if (first) {
      refused.push({
        dir,
        id: result.plugin.id,
        issues: [
          {
            code: ManifestErrorCode.DUPLICATE_PLUGIN,
            pointer: '/id',
            message: `'${result.plugin.id}' is already the id of the plugin in ${first.dir}; plugin ids must be unique`,
          },
        ],
      });
      continue;
    }
    plugins.push(result.plugin);
  }
  return { registryPath, registryIssues: [], plugins, refused };
}
