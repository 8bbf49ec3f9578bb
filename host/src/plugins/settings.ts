import {
  redactSettings,
  secretSettingNames,
  secretsPresent,
  settingsDefaults,
  splitSettings,
  type SettingsResult,
  type SplitSettings,
} from '@mch/schemas';
import type { LoadedPlugin } from './types.ts';

/**
 * Settings helpers bound to a loaded plugin's schema (the manifest is the single source, STYLE 4):
 * validation with defaults, the public/secret split for storage, and what the API may return.
 */
export function pluginSettings(plugin: LoadedPlugin) {
  const schema = plugin.manifest.settings;
  return {
    validate: (settings: unknown): SettingsResult => plugin.validateSettings(settings),
    defaults: (): Record<string, unknown> => settingsDefaults(schema),
    secretNames: (): string[] => secretSettingNames(schema),
    split: (settings: Record<string, unknown>): SplitSettings => splitSettings(schema, settings),
    redact: (settings: Record<string, unknown>): Record<string, unknown> => redactSettings(schema, settings),
    secretsPresent: (settings: Record<string, unknown>): Record<string, boolean> =>
      secretsPresent(schema, settings),
  };
}
