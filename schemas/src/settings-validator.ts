import type { SettingsIssue } from './errors.ts';
import { IN_PLACE_KEYWORDS, walkSchema, type SchemaNode } from './json-schema-walk.ts';
import { createSettingsAjv } from './settings-ajv.ts';
import { settingsIssueOf } from './settings-words.ts';

export type SettingsResult =
  { ok: true; value: Record<string, unknown> } | { ok: false; issues: SettingsIssue[] };

/** Validates (a copy of) settings and fills defaults. Never mutates its argument. */
export type SettingsValidator = (settings: unknown) => SettingsResult;

/**
 * Unknown setting keys are refused (a typo must not be stored silently). An object schema that
 * says nothing about extra keys is closed with `unevaluatedProperties: false`, which, unlike
 * `additionalProperties`, also sees properties declared in if/then/oneOf branches. Subschemas
 * inside combinators describe the same value, so only value positions are closed.
 */
export function closeObjectSchemas(schema: object): SchemaNode {
  const copy = structuredClone(schema) as SchemaNode;
  walkSchema(copy, ({ node, via }) => {
    if (IN_PLACE_KEYWORDS.has(via)) return;
    const isObject =
      node.type === 'object' || (node.type === undefined && typeof node.properties === 'object');
    if (!isObject) return;
    if (!('additionalProperties' in node) && !('unevaluatedProperties' in node)) {
      node.unevaluatedProperties = false;
    }
  });
  return copy;
}

/** Ajv also reports the failed `if`/`oneOf` wrapper; the leaf errors already say what to fix. */
const WRAPPERS = new Set(['if', 'anyOf', 'allOf']);

/**
 * Compiles a plugin's settings schema into a validator: all errors at once, defaults filled, no
 * type coercion (a "5" for an integer is an error the form should have prevented). Each issue is
 * in words, with its field's label (settings-words.ts), never Ajv's "must be >= 5".
 */
export function compileSettingsValidator(schema: object): SettingsValidator {
  const ajv = createSettingsAjv({
    allErrors: true,
    useDefaults: true,
    coerceTypes: false,
    removeAdditional: false,
    // Each error carries its schema node, so its message can use the field's title and unit.
    verbose: true,
  });
  const validate = ajv.compile(closeObjectSchemas(schema));
  return (settings) => {
    const value = structuredClone(settings ?? {}) as Record<string, unknown>;
    if (validate(value)) return { ok: true, value };
    const seen = new Set<string>();
    const issues: SettingsIssue[] = [];
    for (const error of validate.errors ?? []) {
      if (WRAPPERS.has(error.keyword)) continue;
      const issue = settingsIssueOf(error);
      const key = `${issue.path}\u0000${issue.code}\u0000${issue.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      issues.push(issue);
    }
    return { ok: false, issues };
  };
}
