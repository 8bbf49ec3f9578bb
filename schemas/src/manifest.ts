import { z } from 'zod';
import { AuthSchema } from './manifest/auth.ts';
import { SwitchesSchema } from './manifest/switches.ts';
import { JobSchema } from './manifest/jobs.ts';
import { MappingsSchema } from './manifest/mappings.ts';
import { RateLimitSchema } from './manifest/rate-limits.ts';
import {
  ActionSchema,
  ApiSchema,
  ConfigVarSchema,
  DocumentsSchema,
  OffersSchema,
  FlowSchema,
  SandboxSchema,
  WebhookSchema,
} from './manifest/sections.ts';
import { SettingsSchemaSchema } from './manifest/settings.ts';
import { kebabId, nonEmpty, relativePath, semverRange, semverVersion } from './patterns.ts';

/**
 * The sections of plugin.manifest.json (SPEC "The manifest"). Kept as a plain shape so
 * validate-manifest.ts can also parse each section on its own: cross-field checks then still run
 * on the sections that are valid, and one mistake does not hide the others.
 */
export const manifestShape = {
  $schema: z
    .string()
    .optional()
    .describe('Path or URL of plugin-manifest.schema.json, for editor validation.'),
  id: kebabId.describe("The plugin's id (kebab-case); also its REST prefix /api/v1/<id>/."),
  name: nonEmpty.describe('Name shown in the console.'),
  version: semverVersion.describe("The plugin's semver version."),
  description: z.string().optional().describe('One sentence shown in the console.'),
  /** Semver range of host versions this plugin supports. */
  host: semverRange.describe("Semver range of host versions this plugin supports, e.g. '^0.1.0'."),
  /** The code module that default-exports the plugin's definePlugin value. */
  entry: relativePath.describe(
    "Code module that default-exports definePlugin({ hooks }), e.g. './src/index.ts'.",
  ),
  icon: z.string().optional().describe('Path or URL of an icon for the console.'),
  auth: AuthSchema.describe(
    'How accounts connect: oauth2, oauth2ClientCredentials, basic or apiKey (settings hold the credentials) or none.',
  ),
  settings: SettingsSchemaSchema,
  /** Bump when stored settings need migrating to the new schema. */
  settingsVersion: z
    .number()
    .int()
    .min(1)
    .default(1)
    .describe('Bump when stored settings need migrating (definePlugin migrateSettings).'),
  jobs: z.array(JobSchema).default([]).describe('Scheduled work per integration, each bound to a hook.'),
  mappings: MappingsSchema.default({}).describe(
    'Named transforms from marketplace records to host records (invoice, invoiceLine, customer, product).',
  ),
  rateLimits: z
    .array(RateLimitSchema)
    .default([])
    .describe("The marketplace's published rate limits per route group."),
  config: z
    .array(ConfigVarSchema)
    .default([])
    .describe('Environment variables the plugin needs; templates may use them as {NAME}.'),
  flows: z
    .array(FlowSchema)
    .default([])
    .describe('Capabilities the plugin offers, optionally switched by a boolean setting.'),
  api: ApiSchema.optional().describe('Base URL and headers of the marketplace API used by ctx.http.'),
  webhooks: z
    .array(WebhookSchema)
    .default([])
    .describe('Inbound callbacks from the marketplace, each handled by a hook.'),
  actions: z
    .array(ActionSchema)
    .default([])
    .describe('Operations a person starts on one integration (cancel an order, move a return), each a hook.'),
  documents: DocumentsSchema.optional().describe(
    "A plugin of the company's issued documents (clearance with a tax authority): which it takes and the job that takes them.",
  ),
  offers: OffersSchema.optional().describe(
    "Marketplace offers kept in step with the host's products: the jobs that push and read them.",
  ),
  switches: SwitchesSchema.default({}).describe(
    "The plugin's boolean settings that switch what an import creates: invoices, paid marks, customers, products.",
  ),
  sandbox: SandboxSchema.describe(
    "Where the plugin's local marketplace emulator lives and how demo mode points config at it.",
  ),
};

export const ManifestSchema = z.strictObject(manifestShape);

/** A validated manifest, defaults filled. */
export type Manifest = z.infer<typeof ManifestSchema>;
/** What an author writes (defaults optional). */
export type ManifestInput = z.input<typeof ManifestSchema>;
export type ManifestSection = keyof typeof manifestShape;

export type {
  Auth,
  OAuth2Auth,
  OAuth2ClientCredentialsAuth,
  BasicAuth,
  ApiKeyAuth,
  ConnectionTest,
} from './manifest/auth.ts';
export type { Switches } from './manifest/switches.ts';
export type { Job, Interval } from './manifest/jobs.ts';
export type { Pull, Pagination, PullCursor } from './manifest/pull.ts';
export type { Mapping, FieldExpression } from './manifest/mappings.ts';
export type { RateLimit } from './manifest/rate-limits.ts';
export type {
  ConfigVar,
  Flow,
  Api,
  Webhook,
  Sandbox,
  Action,
  Documents,
  Offers,
} from './manifest/sections.ts';
export type { SettingsJsonSchema } from './manifest/settings.ts';
