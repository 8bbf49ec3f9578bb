import type { SchemaNode } from './json-schema-walk.ts';

/**
 * Secrets among settings: top-level properties marked `"writeOnly": true` (or `"x-secret": true`).
 * They go to the vault and are never returned by the API (SPEC "Vault").
 */
export function secretSettingNames(schema: { properties?: Record<string, unknown> }): string[] {
  return Object.entries(schema.properties ?? {})
    .filter(([, property]) => {
      const node = property as SchemaNode;
      return node.writeOnly === true || node['x-secret'] === true;
    })
    .map(([name]) => name);
}

export interface SplitSettings {
  /** Stored in plain columns and returned by the API. */
  public: Record<string, unknown>;
  /** Stored encrypted in the vault only. */
  secret: Record<string, unknown>;
}

export function splitSettings(
  schema: { properties?: Record<string, unknown> },
  settings: Record<string, unknown>,
): SplitSettings {
  const secrets = new Set(secretSettingNames(schema));
  const split: SplitSettings = { public: {}, secret: {} };
  for (const [name, value] of Object.entries(settings)) {
    (secrets.has(name) ? split.secret : split.public)[name] = value;
  }
  return split;
}

/**
 * What the API may show of stored settings: secret properties are left out entirely (the form
 * shows them empty with a "saved" hint from `secretsPresent`).
 */
export function redactSettings(
  schema: { properties?: Record<string, unknown> },
  settings: Record<string, unknown>,
): Record<string, unknown> {
  const secrets = new Set(secretSettingNames(schema));
  return Object.fromEntries(Object.entries(settings).filter(([name]) => !secrets.has(name)));
}

/** Which secrets have a stored value, without revealing them. */
export function secretsPresent(
  schema: { properties?: Record<string, unknown> },
  settings: Record<string, unknown>,
): Record<string, boolean> {
  return Object.fromEntries(
    secretSettingNames(schema).map((name) => [name, settings[name] !== undefined && settings[name] !== '']),
  );
}

/** Top-level defaults declared by the schema, for a new integration's initial settings. */
export function settingsDefaults(schema: { properties?: Record<string, unknown> }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const node = property as SchemaNode;
    if ('default' in node) out[name] = structuredClone(node.default);
  }
  return out;
}
