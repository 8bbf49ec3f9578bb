import type { TestConnectionOutput } from '@mch/plugin-sdk';
import type { Principal } from '../api/context.ts';
import type { LoginLimiter } from '../api/login-limiter.ts';
import type { HostEnv } from '../config/env.ts';
import type { Database } from '../db/orm.ts';
import type { IntegrationService } from '../integrations/integration.service.ts';
import type { InvoiceDocuments } from '../invoicing/invoice-documents.ts';
import type { Logger } from '../logging/logger.ts';
import type { LoadedPlugin, PluginLoadResult } from '../plugins/types.ts';
import type { Scheduler } from '../scheduler/types.ts';
import type { Vault } from '../vault/index.ts';

/** Readiness of one dependency, as `/readyz` reports it. */
export interface ReadinessCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

/** The plugins the registry named: loaded ones by id, refused ones with their issues. */
export interface HostPlugins extends PluginLoadResult {
  get(id: string): LoadedPlugin | undefined;
}

/**
 * How the API starts a sync and tests a connection. The composition root routes `trigger` to the
 * scheduler until the sync engine replaces this object (it then also records the run itself).
 */
export interface SyncHooks {
  trigger(input: {
    integrationId: string;
    tenantId: string;
    jobId: string;
    trigger: 'manual' | 'webhook';
    actorUserId?: string;
  }): Promise<{ runId: string }>;
  /** Calls the plugin's `auth.testHook`; absent until the sync engine provides a plugin context. */
  testConnection?(input: { integrationId: string; tenantId: string }): Promise<TestConnectionOutput>;
  /** Calls a hook named by a manifest action (input already validated); absent without the engine. */
  runAction?(input: {
    integrationId: string;
    tenantId: string;
    hook: string;
    input: unknown;
  }): Promise<unknown>;
  /** The signed URL of a manifest webhook for one integration; absent without the engine. */
  webhookUrl?(integrationId: string, webhookId: string): string;
}

/** The OAuth broker's face towards the API; absent until the broker exists. */
export interface OAuthHooks {
  authUrl(input: {
    principal: Principal;
    tenantId: string;
    pluginId: string;
    integrationId?: string;
    returnTo?: string;
  }): Promise<{ url: string }>;
  callback(input: {
    pluginId: string;
    code?: string | undefined;
    state: string;
    /** The marketplace's `error` parameter (e.g. `access_denied` when the seller declined). */
    error?: string | undefined;
  }): Promise<{ integrationId: string; returnTo?: string | null }>;
}

/**
 * Everything a request handler, job or command may use: built once by the composition root
 * (`host-app.ts`) and passed down explicitly — no module-level singletons.
 */
export interface HostServices {
  env: HostEnv;
  logger: Logger;
  db: Database;
  version: string;
  startedAt: Date;
  /** Named readiness probes; each must be cheap (it runs on every `/readyz`). */
  readiness: Map<string, () => Promise<ReadinessCheck>>;
  vault: Vault;
  plugins: HostPlugins;
  /** Present in every role: api processes enqueue runs, worker processes also execute them. */
  scheduler: Scheduler | undefined;
  integrations: IntegrationService;
  sync: SyncHooks;
  oauth: OAuthHooks | undefined;
  /** Invoice PDFs: rendered on worker threads, kept a while for repeated downloads. */
  invoiceDocuments: InvoiceDocuments;
  /** Console sign-in throttling (progressive delays per address, account and client; 429). */
  loginLimiter: LoginLimiter;
}
