import { z } from 'zod';
import semver from 'semver';

/** Shared field shapes of the manifest, each with an error sentence that says what is expected. */

export const kebabId = z.string().regex(/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/, {
  error: "must be kebab-case: lowercase letters and digits separated by dashes, e.g. 'my-plugin'",
});

/** Ids of jobs, flows, webhooks, rate groups: letters, digits, '-' and '_', starting with a letter. */
export const localId = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_-]*$/, {
  error: "must start with a letter and use only letters, digits, '-' and '_', e.g. 'sync-orders'",
});

/** Names of hooks (exported from the plugin module's `hooks`), so JavaScript identifiers. */
export const hookName = z
  .string()
  .regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/, { error: "must be a JavaScript identifier, e.g. 'syncOrders'" });

export const envName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]*$/, { error: "must be UPPER_SNAKE_CASE, e.g. 'ALLEGRO_CLIENT_ID'" });

export const semverVersion = z.string().refine((value) => semver.valid(value) === value, {
  error: (issue) => `must be a semver version such as '1.2.0', got ${JSON.stringify(issue.input)}`,
  params: { code: 'MANIFEST_VERSION_INVALID' },
});

export const semverRange = z.string().refine((value) => semver.validRange(value) !== null, {
  error: (issue) =>
    `must be a semver range of host versions such as '^0.1.0' or '>=0.1 <2', got ${JSON.stringify(issue.input)}`,
  params: { code: 'MANIFEST_HOST_RANGE' },
});

/** Relative path inside the plugin folder: './src/index.ts'. Absolute paths and '..' would escape it. */
export const relativePath = z.string().regex(/^\.\/(?!.*(?:^|\/)\.\.(?:\/|$)).+/, {
  error: "must be a path inside the plugin folder starting with './', e.g. './src/index.ts'",
});

/**
 * A string that may contain `{PLACEHOLDER}`s. Which placeholders are allowed depends on where it is
 * used; the cross-field checks verify them.
 */
export const template = z.string().min(1, { error: 'must be a non-empty string' });

export const nonEmpty = z.string().min(1, { error: 'must be a non-empty string' });

/** `"15 minutes"`, `"1 hour"`, `"30 seconds"`, `"1 day"`. */
export const DURATION_PATTERN = /^(\d+)\s*(second|minute|hour|day)s?$/;
export const duration = z.string().regex(DURATION_PATTERN, {
  error: "must be a duration such as '15 minutes', '1 hour', '30 seconds' or '1 day'",
});

const UNIT_MS = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

export function durationToMs(value: string): number {
  const match = DURATION_PATTERN.exec(value);
  if (!match) throw new Error(`'${value}' is not a duration such as '15 minutes'`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
