import { checkAuthHooks, checkConnectionTest } from './checks/auth-hooks.ts';
import { createContext, type ManifestSections } from './checks/context.ts';
import { checkMappings } from './checks/mappings.ts';
import { checkPulls } from './checks/pull.ts';
import { checkReferences } from './checks/references.ts';
import { checkSecretMarks, checkSecretTemplates } from './checks/secrets.ts';
import { checkSettingReferences, checkSettingsSchemaValid } from './checks/settings-refs.ts';
import { checkTemplates } from './checks/templates.ts';
import { checkUnique } from './checks/unique.ts';
import { ManifestErrorCode, type ManifestIssue } from './errors.ts';
import { type Manifest, ManifestSchema, manifestShape, type ManifestSection } from './manifest.ts';
import { JobSchema } from './manifest/jobs.ts';
import { MappingSchema } from './manifest/mappings.ts';
import { RateLimitSchema } from './manifest/rate-limits.ts';
import { ActionSchema, ConfigVarSchema, FlowSchema, WebhookSchema } from './manifest/sections.ts';
import { fromZodIssues } from './zod-issues.ts';

const CHECKS = [
  checkSettingsSchemaValid,
  checkSettingReferences,
  checkTemplates,
  checkSecretTemplates,
  checkSecretMarks,
  checkAuthHooks,
  checkConnectionTest,
  checkReferences,
  checkMappings,
  checkPulls,
  checkUnique,
];

export type ManifestValidation =
  | { ok: true; manifest: Manifest; sections: ManifestSections; issues: [] }
  | { ok: false; manifest?: undefined; sections: ManifestSections; issues: ManifestIssue[] };

/** Parses the text of plugin.manifest.json; a syntax error becomes one located issue. */
export function parseJsonText(
  text: string,
  code: ManifestErrorCode = ManifestErrorCode.INVALID_JSON,
): { ok: true; value: unknown } | { ok: false; issue: ManifestIssue } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      issue: { code, pointer: '', message: `is not valid JSON (${detail}); fix the syntax` },
    };
  }
}

function sortIssues(issues: ManifestIssue[]): ManifestIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.code}\u0000${issue.pointer}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const LIST_ENTRIES = {
  jobs: JobSchema,
  flows: FlowSchema,
  config: ConfigVarSchema,
  rateLimits: RateLimitSchema,
  webhooks: WebhookSchema,
  actions: ActionSchema,
};

/**
 * The usable part of one section. Lists keep their valid entries at their own index (a sparse
 * array, so pointers stay right); mappings keep their valid entries by name.
 */
function salvage(key: ManifestSection, value: unknown): unknown {
  const whole = manifestShape[key].safeParse(value);
  if (whole.success) return whole.data;
  if (key in LIST_ENTRIES && Array.isArray(value)) {
    const schema = LIST_ENTRIES[key as keyof typeof LIST_ENTRIES];
    const kept: unknown[] = new Array<unknown>(value.length);
    value.forEach((entry, index) => {
      const result = schema.safeParse(entry);
      if (result.success) kept[index] = result.data;
    });
    return kept;
  }
  if (key === 'mappings' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const kept: Record<string, unknown> = {};
    for (const [name, entry] of Object.entries(value)) {
      const result = MappingSchema.safeParse(entry);
      if (result.success) kept[name] = result.data;
    }
    return kept;
  }
  return undefined;
}

/**
 * Validates a parsed manifest: shape (strict, so typos are caught), then cross-field checks.
 * Each section is also parsed alone, so the cross-field checks run on every valid section even when
 * another section is broken, and all mistakes are reported at once. `sections` carries what is
 * usable, so the host can go on to check hooks and files of a manifest that is already refused.
 */
export function validateManifest(input: unknown): ManifestValidation {
  const parsed = ManifestSchema.safeParse(input, { reportInput: true });
  const issues = parsed.success ? [] : fromZodIssues(parsed.error.issues);
  const sections: ManifestSections = {};
  if (parsed.success) {
    Object.assign(sections, parsed.data);
  } else if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const record = input as Record<string, unknown>;
    for (const key of Object.keys(manifestShape) as ManifestSection[]) {
      const value = salvage(key, record[key]);
      if (value !== undefined) (sections as Record<string, unknown>)[key] = value;
    }
  }
  const { context, issues: crossIssues } = createContext({ sections, raw: input });
  for (const check of CHECKS) check(context);
  const all = sortIssues([...issues, ...crossIssues]);
  if (parsed.success && all.length === 0) return { ok: true, manifest: parsed.data, sections, issues: [] };
  return { ok: false, sections, issues: all };
}
