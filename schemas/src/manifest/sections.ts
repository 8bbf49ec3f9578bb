import { z } from 'zod';
import { envName, hookName, localId, nonEmpty, relativePath, template } from '../patterns.ts';

/** An environment variable the plugin needs (SPEC "config"). */
export const ConfigVarSchema = z.strictObject({
  env: envName,
  description: nonEmpty,
  secret: z.boolean().default(false),
  required: z.boolean().default(false),
  default: z.string().optional(),
  /**
   * Defaults chosen by another variable's value, first match first (e.g. a marketplace's sandbox
   * hosts when `ALLEGRO_SANDBOX` is `true`); a value set for this variable itself always wins.
   */
  defaultWhen: z
    .array(z.strictObject({ env: envName, equals: z.string(), value: z.string() }))
    .min(1)
    .optional(),
});

/** A capability the plugin offers (orders, invoices, returns, …), optionally switched by a setting. */
export const FlowSchema = z.strictObject({
  id: localId,
  title: nonEmpty,
  description: nonEmpty,
  direction: z.enum(['inbound', 'outbound']),
  /** Name of a boolean setting that turns this flow on or off. */
  setting: nonEmpty.optional(),
});

export const ApiSchema = z.strictObject({
  /** e.g. '{ALLEGRO_API_URL}' or '{EMAG_BASE_URL}/{settings.platform}'. */
  baseUrl: template,
  headers: z.record(z.string(), template).optional(),
});

export const WebhookSchema = z.strictObject({
  id: localId,
  hook: hookName,
  method: z.enum(['GET', 'POST', 'PUT']).default('POST'),
  description: z.string().optional(),
});

/**
 * Offers the plugin keeps in step with the host's products (stock, price, status). The host
 * links offers to products and keeps a version per product; when products change it runs
 * `pushJob` for each integration with linked offers (the plugin reads `ctx.offers.pending`).
 */
export const OffersSchema = z.strictObject({
  pushJob: localId.describe('The job that pushes changed products to their offers (one of `jobs`).'),
  readJob: localId
    .optional()
    .describe(
      'The job that reads the offers and links them to products (one of `jobs`), run by "Import offers".',
    ),
  description: z.string().optional(),
});

/**
 * An operation a person starts from the console or API rather than a schedule (e.g. cancel an
 * order, move a return): `POST /api/v1/<pluginId>/actions/<integrationId>/<id>` or tRPC
 * `integrations.action` call `hook` with the input, validated against `input` first.
 */
export const ActionSchema = z.strictObject({
  id: localId,
  hook: hookName,
  title: nonEmpty,
  description: z.string().optional(),
  /** The flow this action belongs to; switching the flow off refuses the action. */
  flow: localId.optional(),
  /** JSON Schema (draft 2020-12) of the input object. */
  input: z
    .looseObject({ type: z.literal('object'), properties: z.record(z.string(), z.unknown()).optional() })
    .default({ type: 'object', properties: {} }),
  /**
   * Where the console offers the action, generically (no plugin is named there). `kind` is the
   * record it works on: `return`, `order` or `refund` (a payment refund). `role`:
   * - `list` answers `{items: [...]}` of that kind, each with at least `id` and `status` (and
   *   `orderId` for returns and refunds, which an order's page shows in its history, oldest first
   *   by `createdAt`, ISO 8601 with its offset; refunds also `amount` and `currency`); on an order's
   *   page a list action whose input has an `orderId` property gets the order's id there;
   * - `get` answers `{item: {...}}`, the one record whose id the console passes in `idInput` (for an
   *   order: `id`, `status`, optional `statusLabel`, `buyer`, `amount`, `currency`, `lines`);
   * - `act` is offered beside one such record while its `status` is one of `statuses`, its id in
   *   input `idInput`, with `presets` fixed (e.g. `{status: 3}` for "Approve") and the rest of
   *   `input` as a form.
   */
  subject: z
    .strictObject({
      kind: z
        .enum(['return', 'order', 'refund'])
        .describe('The record the action works on: a return, an order or a payment refund.'),
      role: z
        .enum(['list', 'act', 'get'])
        .default('act')
        .describe(
          "'list' answers {items: [...]} of the kind; 'get' answers {item: {...}} for the id in idInput; 'act' changes one record while its status is in statuses.",
        ),
      idInput: z.string().min(1).optional(),
      statuses: z
        .array(z.union([z.number(), z.string()]))
        .min(1)
        .optional(),
      presets: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});

export const SandboxSchema = z.strictObject({
  /** Module exporting `startSandbox` (sdk sandbox-kit contract). */
  entry: relativePath,
  /**
   * Config variable → template over the sandbox's ready line (`{url}`, `{controlUrl}`,
   * `{credentials.<name>}`), so demo mode can point the plugin at its sandbox generically.
   */
  env: z.record(envName, template).default({}),
  /**
   * Setting → template over the sandbox's ready line (`{url}`, `{controlUrl}`,
   * `{credentials.<name>}`): the settings demo mode connects the demo account with, for settings
   * the sandbox's credentials are not named like (e.g. `"consumerKey": "{credentials.key}"`).
   */
  settings: z
    .record(nonEmpty, template)
    .optional()
    .describe(
      'Settings demo mode connects the demo account with, each a template over the sandbox\'s ready line, e.g. { "consumerKey": "{credentials.key}" }.',
    ),
  /**
   * Options demo mode starts the sandbox with (its `extra`), to keep the demo's marketplace alive:
   * new orders, returns and cancellations arriving while a newcomer tries each flow. Each sandbox
   * documents its own options; tests start sandboxes without them.
   */
  demo: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Options (`extra`) demo mode starts the sandbox with, e.g. timers for new orders and returns.'),
  /**
   * The country (ISO 3166-1 alpha-2) of the seller the sandbox's demo credentials belong to:
   * demo mode connects that account under the demo tenant's company of this country, so its
   * invoices follow that country's VAT; unset, the tenant's default company issues them.
   */
  sellerCountry: z
    .string()
    .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code in capitals, e.g. "RO"')
    .optional()
    .describe(
      "Country of the demo account's seller; demo mode issues under the demo company of this country.",
    ),
});

export type ConfigVar = z.infer<typeof ConfigVarSchema>;
export type Flow = z.infer<typeof FlowSchema>;
export type Api = z.infer<typeof ApiSchema>;
export type Webhook = z.infer<typeof WebhookSchema>;
export type Sandbox = z.infer<typeof SandboxSchema>;
export type Action = z.infer<typeof ActionSchema>;

/**
 * A plugin that works on the company's issued documents rather than on a marketplace account's
 * records (tax-authority clearance: KSeF, RO e-Factura). It is connected once per company; the host
 * hands it every document of that company it `consumes` (an invoice on issue, a correction on
 * issue) through `ctx.documents`, exactly once through the outbound ledger, and runs `job` when one
 * is issued. The result (state, clearance number, XML, receipt, errors) is stored on the document
 * and shown as its `clearance` (SPEC "Interfaces").
 */
export const DocumentsSchema = z.strictObject({
  /** Only `company` so far: one connection per company, fed by every integration of it. */
  scope: z.literal('company').default('company'),
  /** The clearance authority the documents' `clearance.authority` names, e.g. `ksef`. */
  authority: z.string().regex(/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/, {
    error: 'must be kebab-case, e.g. "ksef" or "ro-efactura"',
  }),
  /** Shown in the console beside the clearance state (e.g. "KSeF"). */
  title: nonEmpty,
  /** Which issued documents it takes: `invoice` on issue, `correction` on issue. */
  consumes: z.array(z.enum(['invoice', 'correction'])).min(1),
  /** Only documents of sellers in these countries (ISO alpha-2); unset: all of the company's. */
  sellerCountries: z
    .array(z.string().regex(/^[A-Z]{2}$/, { error: 'an ISO 3166-1 alpha-2 country code in capitals' }))
    .optional(),
  /** The job (in `jobs`) that takes the documents; the host runs it whenever one is issued. */
  job: localId,
  /**
   * Marketplace delivery of a consumed document waits for its clearance number while this plugin
   * is active for the company (the document legally exists only once cleared).
   */
  deliveryAfterClearance: z.boolean().default(true),
});
export type Documents = z.infer<typeof DocumentsSchema>;
export type Offers = z.infer<typeof OffersSchema>;
