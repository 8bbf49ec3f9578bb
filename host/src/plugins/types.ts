import type { PluginDefinition } from '@mch/plugin-sdk';
import type { Manifest, ManifestIssue, SettingsValidator } from '@mch/schemas';

/** A plugin that passed every check and is wired into the host. */
export interface LoadedPlugin {
  id: string;
  /** Absolute path of the plugin folder. */
  dir: string;
  manifest: Manifest;
  /** The entry module's default export (definePlugin value). */
  definition: PluginDefinition;
  /** Validates submitted/stored settings: per-field issues, defaults filled, unknown keys refused. */
  validateSettings: SettingsValidator;
}

/** A plugin the host refused, with every reason, so the API and CLI can show them. */
export interface RefusedPlugin {
  /** Absolute path of the plugin folder. */
  dir: string;
  /** The manifest's id, when it could be read. */
  id?: string;
  issues: ManifestIssue[];
}

export interface PluginLoadResult {
  /** Absolute path of the registry file read. */
  registryPath: string;
  /** Problems with the registry file itself (then no plugin is loaded). */
  registryIssues: ManifestIssue[];
  plugins: LoadedPlugin[];
  refused: RefusedPlugin[];
}

/** The plugins the registry named: loaded ones by id, refused ones with their issues. */
export interface HostPlugins extends PluginLoadResult {
  get(id: string): LoadedPlugin | undefined;
  /** A plugin loaded again under the same id (hot reload in development). */
  replace?(plugin: LoadedPlugin): void;
}
