import type { ErrorObject } from 'ajv/dist/2020.js';
import { SettingsErrorCode, type SettingsIssue } from './errors.ts';
import { IN_PLACE_KEYWORDS, walkSchema, type SchemaNode } from './json-schema-walk.ts';
import { escapePointerSegment } from './pointer.ts';
import { createSettingsAjv } from './settings-ajv.ts';

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

function issueOf(error: ErrorObject): SettingsIssue {
  const params = error.params as Record<string, unknown>;
  const at = error.instancePath;
  switch (error.keyword) {
    case 'required':
      return {
        path: `${at}/${escapePointerSegment(String(params.missingProperty))}`,
        code: SettingsErrorCode.REQUIRED,
        message: 'is required',
      };
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const key = String(params.additionalProperty ?? params.unevaluatedProperty);
      return {
        path: `${at}/${escapePointerSegment(key)}`,
        code: SettingsErrorCode.UNKNOWN_FIELD,
        message: `'${key}' is not a setting of this plugin; remove it`,
      };
    }
    case 'type':
      return { path: at, code: SettingsErrorCode.INVALID_TYPE, message: `must be ${String(params.type)}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
    case 'multipleOf':
      return { path: at, code: SettingsErrorCode.OUT_OF_RANGE, message: error.message ?? 'is out of range' };
    case 'enum':
      return {
        path: at,
        code: SettingsErrorCode.NOT_ALLOWED,
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'const':
      return {
        path: at,
        code: SettingsErrorCode.NOT_ALLOWED,
        message: `must be ${JSON.stringify(params.allowedValue)}`,
      };
    case 'format':
    case 'pattern':
      return {
        path: at,
        code: SettingsErrorCode.INVALID_FORMAT,
        message: error.message ?? 'has the wrong format',
      };
    default:
      return { path: at, code: SettingsErrorCode.INVALID, message: error.message ?? 'is not valid' };
  }
}

/** Ajv also reports the failed `if`/`oneOf` wrapper; the leaf errors already say what to fix. */
const WRAPPERS = new Set(['if', 'anyOf', 'allOf']);

/**
 * Compiles a plugin's settings schema into a validator: all errors at once, defaults filled, no
 * type coercion (a "5" for an integer is an error the form should have prevented).
 */
export function compileSettingsValidator(schema: object): SettingsValidator {
  const ajv = createSettingsAjv({
    allErrors: true,
    useDefaults: true,
    coerceTypes: false,
    removeAdditional: false,
  });
  const validate = ajv.compile(closeObjectSchemas(schema));
  return (settings) => {
    const value = structuredClone(settings ?? {}) as Record<string, unknown>;
    if (validate(value)) return { ok: true, value };
    const seen = new Set<string>();
    const issues: SettingsIssue[] = [];
    for (const error of validate.errors ?? []) {
      if (WRAPPERS.has(error.keyword)) continue;
      const issue = issueOf(error);
      const key = `${issue.path}\u0000${issue.code}\u0000${issue.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      issues.push(issue);
    }
    return { ok: false, issues };
  };
}
