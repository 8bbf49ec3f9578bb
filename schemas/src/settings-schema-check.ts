import type { ErrorObject } from 'ajv/dist/2020.js';
import { ManifestErrorCode, type ManifestIssue } from './errors.ts';
import { KNOWN_KEYWORDS, walkSchema } from './json-schema-walk.ts';
import { createSettingsAjv } from './settings-ajv.ts';

const ajv = createSettingsAjv();

function sentence(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return error.message ?? 'is not valid JSON Schema';
}

/**
 * Checks that `settings` is a usable JSON Schema 2020-12: the meta-schema, no unknown keywords
 * (typos such as 'minimun' would otherwise be ignored), and that Ajv can compile it (patterns,
 * `x-ui` hints, references). `base` is the pointer of the settings object in the manifest.
 */
export function checkSettingsSchema(schema: unknown, base = '/settings'): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  if (!ajv.validateSchema(schema as object)) {
    // The meta-schema reports each mistake several times through anyOf branches; keep one per place.
    const seen = new Set<string>();
    for (const error of ajv.errors ?? []) {
      if (seen.has(error.instancePath) || error.keyword === 'anyOf') continue;
      seen.add(error.instancePath);
      issues.push({
        code: ManifestErrorCode.SETTINGS_SCHEMA_INVALID,
        pointer: base + error.instancePath,
        message: `${sentence(error)} (JSON Schema 2020-12)`,
      });
    }
  }
  walkSchema(schema, ({ node, pointer }) => {
    for (const key of Object.keys(node)) {
      if (KNOWN_KEYWORDS.has(key)) continue;
      issues.push({
        code: ManifestErrorCode.SETTINGS_SCHEMA_INVALID,
        pointer: `${base}${pointer}/${key}`,
        message: `'${key}' is not a JSON Schema 2020-12 keyword nor one of 'x-ui', 'x-secret', 'x-host-choices'; fix its spelling or remove it`,
      });
    }
  });
  if (issues.length > 0) return issues;
  try {
    ajv.compile(schema as object);
  } catch (error) {
    issues.push({
      code: ManifestErrorCode.SETTINGS_SCHEMA_INVALID,
      pointer: base,
      message: `cannot be compiled: ${error instanceof Error ? error.message : String(error)}`,
    });
  } finally {
    ajv.removeSchema(schema as object);
  }
  return issues;
}
