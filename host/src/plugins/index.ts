export { loadPlugins, type LoadPluginsOptions } from './loader.ts';
export { loadPluginDir, type PluginDirResult } from './load-plugin.ts';
export { readRegistry } from './registry-file.ts';
export { pluginCatalog, type PluginCatalog, type PluginSummary } from './catalog.ts';
export { pluginSettings } from './settings.ts';
export { DEFAULT_REGISTRY_PATH, REPO_ROOT, MANIFEST_FILE } from './paths.ts';
export type { LoadedPlugin, RefusedPlugin, PluginLoadResult } from './types.ts';
