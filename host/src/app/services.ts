import type { Principal } from '../auth/principal.ts';
import type { LoginLimiter } from '../api/login-limiter.ts';
import type { HostEnv } from '../config/env.ts';
import type { Database } from '../db/orm.ts';
import type { IntegrationService } from '../integrations/integration.service.ts';
import type { SyncHooks } from '../integrations/ports.ts';
import type { InvoiceDocuments } from '../invoicing/invoice-documents.ts';
import type { Logger } from '../logging/logger.ts';
import type { AlertWebhooks } from '../alerts/webhook.ts';
import type { HostPlugins } from '../plugins/types.ts';
import type { Scheduler } from '../scheduler/types.ts';
import type { Vault } from '../vault/index.ts';

// Declared where they are used (the plugin registry, the integration service); named here too.
export type { HostPlugins } from '../plugins/types.ts';
export type { SyncHooks } from '../integrations/ports.ts';

/** Readiness of one dependency, as `/readyz` reports it. */
export interface ReadinessCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

/** The OAuth broker's face towards the API (built by the sync runtime). */
export interface OAuthHooks {
  authUrl(input: {
    principal: Principal;
    tenantId: string;
    pluginId: string;
    integrationId?: string;
    returnTo?: string;
    /** SHA-256 of the console session asking (null for an API token): the callback must match. */
    sessionHash?: string | null;
  }): Promise<{ url: string }>;
  callback(input: {
    pluginId: string;
    code?: string | undefined;
    state: string;
    /** Who completes it: the signed-in user (if any) and their console session's hash. */
    caller: { userId: string | null; sessionHash: string | null };
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
  scheduler: Scheduler;
  integrations: IntegrationService;
  sync: SyncHooks;
  oauth: OAuthHooks;
  /** Invoice PDFs: rendered on worker threads, kept a while for repeated downloads. */
  invoiceDocuments: InvoiceDocuments;
  /** Console sign-in throttling (progressive delays per address, account and client; 429). */
  loginLimiter: LoginLimiter;
  /** Tenants' chat webhooks for alerts (workers send the rounds). */
  alertWebhooks: AlertWebhooks;
}
