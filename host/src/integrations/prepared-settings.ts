import { secretSettingNames, settingsIssuesSentence, splitSettings } from '@mch/schemas';
import { invalidInput, type FieldIssue } from '../errors.ts';
import type { LoadedPlugin } from '../plugins/types.ts';

/** The vault credential kind under which an integration's secret settings are stored. */
export const SETTINGS_CREDENTIAL = 'settings';

type Settings = Record<string, unknown>;

export interface PreparedSettings {
  /** Non-secret settings, defaults filled: stored in `integrations.settings` and returned. */
  public: Settings;
  /** writeOnly settings: stored only in the vault (credential kind `settings`). */
  secret: Settings;
}

/** Issues point into the request body (`{settings: …}`), like every other input issue. */
const BODY_PREFIX = '/settings';

function validateWhole(plugin: LoadedPlugin, candidate: Settings): PreparedSettings {
  const result = plugin.validateSettings(candidate);
  if (!result.ok) {
    const issues: FieldIssue[] = result.issues.map((issue) => ({
      path: `${BODY_PREFIX}${issue.path}`,
      code: issue.code,
      message: issue.message,
    }));
    // The sentence names each field and what it needs ("Sync frequency must be at least 5
    // minutes"); the issues carry the same words per field for the form.
    throw invalidInput(`Nothing was saved: ${settingsIssuesSentence(result.issues)}`, issues);
  }
  const split = splitSettings(plugin.manifest.settings, result.value);
  return { public: split.public, secret: split.secret };
}

const isBlank = (value: unknown) => value === undefined || value === null || value === '';

/** A new integration: the submitted settings alone, defaults filled; blank secrets count as absent. */
export function prepareNewSettings(plugin: LoadedPlugin, input: Settings): PreparedSettings {
  const secrets = new Set(secretSettingNames(plugin.manifest.settings));
  const candidate = Object.fromEntries(
    Object.entries(input).filter(([name, value]) => !(secrets.has(name) && isBlank(value))),
  );
  return validateWhole(plugin, candidate);
}

/**
 * An update merges into what is stored (the seed's PUT sends only the changed keys). A secret
 * left out or sent empty keeps its stored value: the console never receives secrets, so it
 * cannot send them back. The merged whole is validated, so nothing invalid is ever stored.
 */
export function prepareUpdatedSettings(input: {
  plugin: LoadedPlugin;
  storedPublic: Settings;
  storedSecret: Settings;
  submitted: Settings;
}): PreparedSettings {
  const secrets = new Set(secretSettingNames(input.plugin.manifest.settings));
  const changes = Object.fromEntries(
    Object.entries(input.submitted).filter(([name, value]) => !(secrets.has(name) && isBlank(value))),
  );
  return validateWhole(input.plugin, { ...input.storedPublic, ...input.storedSecret, ...changes });
}

export function secretNames(plugin: LoadedPlugin): string[] {
  return secretSettingNames(plugin.manifest.settings);
}

/**
 * Stored settings brought up to the plugin's current `settingsVersion` with its
 * `migrateSettings` hook (SPEC: settings survive plugin upgrades). Without the hook, or when the
 * version is current, they are returned as stored; validation on save reports what is left.
 */
export function currentSettings(
  plugin: LoadedPlugin,
  row: { settings: Settings; settingsVersion: number },
): Settings {
  const migrate = plugin.definition.migrateSettings;
  if (!migrate || row.settingsVersion >= plugin.manifest.settingsVersion) return row.settings;
  const secrets = new Set(secretSettingNames(plugin.manifest.settings));
  const migrated = migrate({ fromVersion: row.settingsVersion, settings: structuredClone(row.settings) });
  return Object.fromEntries(Object.entries(migrated).filter(([name]) => !secrets.has(name)));
}
