import { createHash } from 'node:crypto';
import type { LoadedPlugin } from '../plugins/types.ts';
import { placeholders, renderTemplate, secretSettingNames } from '@mch/schemas';
import {
  ConfigError,
  type PluginContext,
  type PluginRecords,
  type PluginSecrets,
  type UpsertOutcome,
} from '@mch/plugin-sdk';
import type { InvoiceLinkSigner } from '../invoicing/public-url.ts';
import { createPluginCorrections } from './context/corrections.ts';
import { createPluginInvoices, type InvoicePdfs } from './context/invoices.ts';
import type { Database } from '../db/orm.ts';
import type { Logger } from '../logging/logger.ts';
import { createPluginHttp, type RequestAuthorizer } from '../runtime/plugin-http.ts';
import type { RateLimiter } from '../runtime/rate-limiter.ts';
import type { Vault } from '../vault/vault.ts';
import { accountName } from '../integrations/account-key.ts';
import { createAuthorizer } from './authorizer.ts';
import { createPluginDocuments } from './context/documents.ts';
import { createPluginLedger } from './context/ledger.ts';
import { createPluginOffers } from './context/offers.ts';
import { createPluginOutbound } from './context/outbound.ts';
import { createPluginSecrets } from './context/secrets.ts';
import { createPluginStore } from './context/store.ts';
import type { RunTally } from './run-tally.ts';

/** How host records are made from marketplace records (the records engine). */
export interface RecordsPort {
  importMany(input: {
    tenantId: string;
    integrationId: string;
    pluginId: string;
    mapping: string;
    plugin: LoadedPlugin;
    settings: Readonly<Record<string, unknown>>;
    records: readonly { externalId: string; revision: string; data: unknown }[];
  }): Promise<UpsertOutcome[]>;
}

export interface ContextDeps {
  db: Database;
  vault: Vault;
  limiter: RateLimiter;
  logger: Logger;
  records: RecordsPort;
  /** Invoice PDFs (the invoicing core). */
  documents: InvoicePdfs;
  signer: InvoiceLinkSigner;
  outboundStaleAfterMs: number;
  /** Multiplies the HTTP client's retry pauses (tests shorten them; default 1). */
  httpRetryScale?: number;
  /**
   * Plugins of the company's documents whose clearance marketplace delivery waits for (manifest
   * `documents.deliveryAfterClearance`), read on every call.
   */
  clearancePluginIds?: () => readonly string[];
  processName: string;
  onRevoked(integrationId: string, reason: string): Promise<void>;
}

export interface IntegrationRef {
  id: string;
  tenantId: string;
  settings: Readonly<Record<string, unknown>>;
  externalAccountId?: string | null;
  label?: string | null;
  /** The company it works for (plugins of the company's documents are connected per company). */
  companyId?: string | null;
}

export interface PluginContextOptions {
  deps: ContextDeps;
  plugin: LoadedPlugin;
  integration: IntegrationRef;
  config: Readonly<Record<string, string | undefined>>;
  signal: AbortSignal;
  /** What the run did with its records, each counted once (run-tally.ts). */
  tally: RunTally;
  progress?: (done: number, total?: number) => void;
  /** Replaces the stored credentials (the OAuth callback, before the integration exists). */
  authorizer?: RequestAuthorizer;
}

/**
 * Assembles `ctx` for one hook call (STYLE 2: the narrow surface a plugin sees). Counts of record
 * outcomes are collected for the run.
 */
export function buildPluginContext(options: PluginContextOptions): PluginContext {
  const { deps, plugin, integration, config } = options;
  const log = deps.logger.child({ plugin: plugin.id, integrationId: integration.id });
  const secrets = createPluginSecrets({
    db: deps.db,
    vault: deps.vault,
    tenantId: integration.tenantId,
    integrationId: integration.id,
  });
  return {
    integration: integrationInfo(plugin, integration),
    settings: integration.settings,
    secrets,
    config,
    http: pluginHttp(options, { secrets, log }),
    log,
    ...hostPorts(options),
    signal: options.signal,
    progress: (done, total) => options.progress?.(done, total),
  };
}

/** What the plugin is told of its integration: ids, and the marketplace account when known. */
function integrationInfo(plugin: LoadedPlugin, integration: IntegrationRef): PluginContext['integration'] {
  return {
    id: integration.id,
    tenantId: integration.tenantId,
    pluginId: plugin.id,
    ...(integration.externalAccountId
      ? {
          account: {
            id: integration.externalAccountId,
            ...(integration.label ? { label: integration.label } : {}),
          },
        }
      : {}),
  };
}

/** `ctx.http`: the manifest's API at its rendered base URL, authorized and rate-limited. */
function pluginHttp(
  options: PluginContextOptions,
  parts: { secrets: PluginSecrets; log: Logger },
): PluginContext['http'] {
  const { deps, plugin, integration, config } = options;
  const manifest = plugin.manifest;
  const authorizer =
    options.authorizer ??
    createAuthorizer({
      manifest,
      config,
      settings: integration.settings,
      secrets: parts.secrets,
      db: deps.db,
      vault: deps.vault,
      tenantId: integration.tenantId,
      integrationId: integration.id,
      owner: `${deps.processName}:${integration.id}`,
      onRevoked: (reason) => deps.onRevoked(integration.id, reason),
    });
  const templateValues = { config, settings: integration.settings };
  const baseUrl = manifest.api ? renderTemplate(manifest.api.baseUrl, templateValues) : '';
  // Headers naming a secret setting (an API token) are filled from the vault when first sent;
  // the others now. Both go to the marketplace only: the HTTP client never logs headers.
  const secret = new Set(secretSettingNames(manifest.settings));
  const named = (template: string) =>
    placeholders(template)
      .filter((name) => name.startsWith('settings.') && secret.has(name.slice('settings.'.length)))
      .map((name) => name.slice('settings.'.length));
  const headers = Object.entries(manifest.api?.headers ?? {});
  const defaultHeaders = Object.fromEntries(
    headers.filter(([, v]) => named(v).length === 0).map(([k, v]) => [k, renderTemplate(v, templateValues)]),
  );
  const withSecrets = headers.filter(([, v]) => named(v).length > 0);
  return createPluginHttp({
    baseUrl,
    defaultHeaders,
    authorizer:
      withSecrets.length === 0
        ? authorizer
        : withSecretHeaders(authorizer, withSecrets, {
            secrets: parts.secrets,
            names: [...new Set(withSecrets.flatMap(([, v]) => named(v)))],
            values: templateValues,
          }),
    limiter: deps.limiter,
    rateLimits: manifest.rateLimits,
    rateContext: { pluginId: plugin.id, ...rateLimitKeys(options, baseUrl), config },
    log: parts.log,
    signal: options.signal,
    ...(deps.httpRetryScale ? { retryDelayScale: deps.httpRetryScale } : {}),
  });
}

/** The authorizer's headers and those rendered from secret settings, read from the vault once. */
function withSecretHeaders(
  authorizer: RequestAuthorizer,
  headers: [string, string][],
  options: {
    secrets: PluginSecrets;
    names: string[];
    values: {
      config: Readonly<Record<string, string | undefined>>;
      settings: Readonly<Record<string, unknown>>;
    };
  },
): RequestAuthorizer {
  let rendered: Promise<Record<string, string>> | undefined;
  const render = async () => {
    const settings: Record<string, unknown> = { ...options.values.settings };
    for (const name of options.names) {
      const value = await options.secrets.get(name);
      if (!value) throw new ConfigError(`Set the account's ${name}.`, { pointer: `/${name}` });
      settings[name] = value;
    }
    return Object.fromEntries(
      headers.map(([k, v]) => [k, renderTemplate(v, { ...options.values, settings })]),
    );
  };
  return {
    async headers() {
      if (!rendered) {
        rendered = render();
        // A failed read (a secret not set yet) is tried again on the next request.
        rendered.catch(() => (rendered = undefined));
      }
      return { ...(await rendered), ...(await authorizer.headers()) };
    },
    recover: () => authorizer.recover(),
    ...(authorizer.query ? { query: () => authorizer.query!() } : {}),
  };
}

/** Whose rate-limit budgets the calls spend: the OAuth client's, and the marketplace account's. */
function rateLimitKeys(
  options: PluginContextOptions,
  baseUrl: string,
): { accountKey: string; clientKey: string } {
  const { plugin, integration, config } = options;
  const manifest = plugin.manifest;
  const clientKey =
    manifest.auth.type === 'oauth2' ? (config[manifest.auth.clientIdConfig] ?? plugin.id) : plugin.id;
  // `scope: account` budgets belong to the marketplace account, not to one integration: the one the
  // manifest declares (auth.account), the Basic username or the client id, at this API, so two
  // integrations (even of two tenants) connecting the same account share one budget. Otherwise:
  // the integration.
  const account = accountName(plugin, integration.settings);
  const accountKey = account
    ? `basic:${createHash('sha256').update(`${baseUrl}\n${account}`).digest('base64url').slice(0, 22)}`
    : integration.id;
  return { accountKey, clientKey };
}

/** The host's data behind `ctx`: cursors, ledger, records, outbound, documents, invoices, offers. */
function hostPorts(options: PluginContextOptions) {
  const { deps, plugin, integration } = options;
  const pool = deps.db.pool;
  const outbound = createPluginOutbound({
    pool,
    tenantId: integration.tenantId,
    integrationId: integration.id,
    staleAfterMs: deps.outboundStaleAfterMs,
  });
  const documents =
    plugin.manifest.documents && integration.companyId
      ? createPluginDocuments({
          pool,
          tenantId: integration.tenantId,
          integrationId: integration.id,
          companyId: integration.companyId,
          spec: plugin.manifest.documents,
          outbound,
          staleAfterMs: deps.outboundStaleAfterMs,
        })
      : undefined;
  return {
    store: createPluginStore({ pool, integrationId: integration.id }),
    ledger: createPluginLedger({ pool, integrationId: integration.id }),
    records: countingRecords(options),
    outbound,
    ...(documents ? { documents } : {}),
    invoices: createPluginInvoices({
      pool,
      integrationId: integration.id,
      documents: deps.documents,
      signer: deps.signer,
      clearancePluginIds: deps.clearancePluginIds?.() ?? [],
    }),
    corrections: createPluginCorrections({
      pool,
      tenantId: integration.tenantId,
      integrationId: integration.id,
    }),
    offers: createPluginOffers({
      pool,
      tenantId: integration.tenantId,
      integrationId: integration.id,
      pluginId: plugin.id,
    }),
  } satisfies Partial<PluginContext>;
}

/** `ctx.records`: host records made by the records engine, each outcome counted for the run. */
function countingRecords(options: PluginContextOptions): PluginRecords {
  const { deps, plugin, integration } = options;

  return {
    async upsert(kind, record) {
      const [outcome] = await this.upsertMany(kind, [record]);
      return outcome!;
    },
    async upsertMany(kind, batch) {
      if (batch.length === 0) return [];
      const outcomes = await deps.records.importMany({
        tenantId: integration.tenantId,
        integrationId: integration.id,
        pluginId: plugin.id,
        mapping: kind,
        plugin,
        settings: integration.settings,
        records: batch,
      });
      options.tally.add(kind, batch, outcomes);
      return outcomes;
    },
  };
}
