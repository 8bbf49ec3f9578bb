/**
 * Every error code of @mch/schemas, in one place (STYLE 3). Manifest and registry problems are
 * reported as `ManifestIssue`s: a code a program can branch on, an RFC 6901 JSON pointer into the
 * file, and a sentence that tells a plugin author what to fix.
 */
export const ManifestErrorCode = {
  /** The plugin folder has no plugin.manifest.json. */
  NOT_FOUND: 'MANIFEST_NOT_FOUND',
  /** The file is not parseable JSON. */
  INVALID_JSON: 'MANIFEST_INVALID_JSON',
  /** A required field is absent. */
  FIELD_MISSING: 'MANIFEST_FIELD_MISSING',
  /** A field has the wrong type, format or value. */
  FIELD_INVALID: 'MANIFEST_FIELD_INVALID',
  /** A field the format does not know (usually a typo). */
  UNKNOWN_FIELD: 'MANIFEST_UNKNOWN_FIELD',
  /** `version` is not a semver version. */
  VERSION_INVALID: 'MANIFEST_VERSION_INVALID',
  /** `host` is not a semver range, or it excludes the running host's version. */
  HOST_RANGE: 'MANIFEST_HOST_RANGE',
  /** `settings` is not a valid JSON Schema 2020-12 object schema. */
  SETTINGS_SCHEMA_INVALID: 'MANIFEST_SETTINGS_SCHEMA_INVALID',
  /** A field names a setting that does not exist or has the wrong type. */
  SETTING_REFERENCE: 'MANIFEST_SETTING_REFERENCE',
  /** A template placeholder or field names an undeclared config variable. */
  CONFIG_REFERENCE: 'MANIFEST_CONFIG_REFERENCE',
  /** A field names a flow, mapping or rate-limit group that is not declared. */
  REFERENCE_UNKNOWN: 'MANIFEST_REFERENCE_UNKNOWN',
  /** Two entries of a list share an id/name that must be unique. */
  DUPLICATE: 'MANIFEST_DUPLICATE',
  /** A mapping lacks a field its host record needs, or targets an unknown one. */
  MAPPING_INVALID: 'MANIFEST_MAPPING_INVALID',
  /** A JSONata expression (a mapping field, `each` or `from`) does not compile. */
  EXPRESSION_INVALID: 'MANIFEST_EXPRESSION_INVALID',
  /**
   * A secret setting (writeOnly / x-secret / format password) is used where its value would be
   * shown: a URL, a config value, a mapping's output. Header templates may use secrets.
   */
  SECRET_LEAK: 'MANIFEST_SECRET_LEAK',
  /**
   * A hook nobody calls: named in the manifest where the host ignores it (an `accountHook` of an
   * auth kind that has no account step), or defined by the plugin module and named nowhere.
   */
  HOOK_UNUSED: 'MANIFEST_HOOK_UNUSED',
  /** `src/settings.generated.ts` (written by `plugin types`) no longer matches the settings. */
  TYPES_STALE: 'MANIFEST_TYPES_STALE',
  /** `entry` does not exist on disk. */
  ENTRY_MISSING: 'MANIFEST_ENTRY_MISSING',
  /** `entry` exists but does not import, or does not default-export a definePlugin value. */
  ENTRY_INVALID: 'MANIFEST_ENTRY_INVALID',
  /** The manifest names a hook the plugin module does not define. */
  HOOK_MISSING: 'MANIFEST_HOOK_MISSING',
  /** `sandbox.entry` does not exist on disk. */
  SANDBOX_MISSING: 'MANIFEST_SANDBOX_MISSING',
  /** Another plugin in the registry already has this id. */
  DUPLICATE_PLUGIN: 'MANIFEST_DUPLICATE_PLUGIN',
  /** The registry file is missing. */
  REGISTRY_NOT_FOUND: 'REGISTRY_NOT_FOUND',
  /** The registry file is not parseable JSON. */
  REGISTRY_INVALID_JSON: 'REGISTRY_INVALID_JSON',
  /** The registry file does not follow registry.schema.json. */
  REGISTRY_INVALID: 'REGISTRY_INVALID',
} as const;
export type ManifestErrorCode = (typeof ManifestErrorCode)[keyof typeof ManifestErrorCode];

/** One located problem in a manifest or registry file. */
export interface ManifestIssue {
  code: ManifestErrorCode;
  /** RFC 6901 pointer into the file ('' is the whole document). */
  pointer: string;
  /** A plain sentence saying what is wrong and what to do. */
  message: string;
}

/**
 * Codes for stored/submitted settings that do not satisfy a plugin's settings schema; the API
 * answers 400 with these per field.
 */
export const SettingsErrorCode = {
  REQUIRED: 'SETTINGS_REQUIRED',
  INVALID_TYPE: 'SETTINGS_INVALID_TYPE',
  UNKNOWN_FIELD: 'SETTINGS_UNKNOWN_FIELD',
  OUT_OF_RANGE: 'SETTINGS_OUT_OF_RANGE',
  NOT_ALLOWED: 'SETTINGS_NOT_ALLOWED',
  INVALID_FORMAT: 'SETTINGS_INVALID_FORMAT',
  INVALID: 'SETTINGS_INVALID',
} as const;
export type SettingsErrorCode = (typeof SettingsErrorCode)[keyof typeof SettingsErrorCode];

/** One problem with a settings value, located by a JSON pointer into the settings object. */
export interface SettingsIssue {
  path: string;
  code: SettingsErrorCode;
  /** What is wrong, said of the field: "must be at least 5 minutes". */
  message: string;
  /** The field's name for people (its title without a unit), when the schema gives one. */
  label?: string | undefined;
}

export function manifestIssue(code: ManifestErrorCode, pointer: string, message: string): ManifestIssue {
  return { code, pointer, message };
}
