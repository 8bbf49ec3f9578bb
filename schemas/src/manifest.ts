import { z } from 'zod';
import { AuthSchema } from './manifest/auth.ts';
import { JobSchema } from './manifest/jobs.ts';
import { MappingsSchema } from './manifest/mappings.ts';
import { RateLimitSchema } from './manifest/rate-limits.ts';
import { ApiSchema, ConfigVarSchema, FlowSchema, SandboxSchema, WebhookSchema } from './manifest/sections.ts';
import { SettingsSchemaSchema } from './manifest/settings.ts';
import { kebabId, nonEmpty, relativePath, semverRange, semverVersion } from './patterns.ts';

/**
 * The sections of plugin.manifest.json (SPEC "The manifest"). Kept as a plain shape so
 * validate-manifest.ts can also parse each section on its own: cross-field checks then still run
 * on the sections that are valid, and one mistake does not hide the others.
 */
export const manifestShape = {
  $schema: z.string().optional(),
  id: kebabId,
  name: nonEmpty,
  version: semverVersion,
  description: z.string().optional(),
  /** Semver range of host versions this plugin supports. */
  host: semverRange,
  /** The code module that default-exports the plugin's definePlugin value. */
  entry: relativePath,
  icon: z.string().optional(),
  auth: AuthSchema,
  settings: SettingsSchemaSchema,
  /** Bump when stored settings need migrating to the new schema. */
  settingsVersion: z.number().int().min(1).default(1),
  jobs: z.array(JobSchema).default([]),
  mappings: MappingsSchema.default({}),
  rateLimits: z.array(RateLimitSchema).default([]),
  config: z.array(ConfigVarSchema).default([]),
  flows: z.array(FlowSchema).default([]),
  api: ApiSchema.optional(),
  webhooks: z.array(WebhookSchema).default([]),
  sandbox: SandboxSchema,
};

export const ManifestSchema = z.strictObject(manifestShape);

/** A validated manifest, defaults filled. */
export type Manifest = z.infer<typeof ManifestSchema>;
/** What an author writes (defaults optional). */
export type ManifestInput = z.input<typeof ManifestSchema>;
export type ManifestSection = keyof typeof manifestShape;

export type { Auth, OAuth2Auth, BasicAuth } from './manifest/auth.ts';
export type { Job, Interval } from './manifest/jobs.ts';
export type { Mapping, FieldExpression } from './manifest/mappings.ts';
export type { RateLimit } from './manifest/rate-limits.ts';
export type { ConfigVar, Flow, Api, Webhook, Sandbox } from './manifest/sections.ts';
export type { SettingsJsonSchema } from './manifest/settings.ts';
