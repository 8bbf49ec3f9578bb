// What the integration service needs from the rest of the host, declared here where it is used:
// the composition root (app/host-app.ts) supplies them, the sync engine implements `SyncHooks`.
import type { TestConnectionOutput } from '@mch/plugin-sdk';
import type { Database } from '../db/orm.ts';
import type { Logger } from '../logging/logger.ts';
import type { HostPlugins } from '../plugins/types.ts';
import type { Scheduler } from '../scheduler/types.ts';
import type { Vault } from '../vault/index.ts';

/** How the API starts a sync, tests a connection and runs an action: the sync engine's face to it. */
export interface SyncHooks {
  trigger(input: {
    integrationId: string;
    tenantId: string;
    jobId: string;
    trigger: 'manual' | 'webhook' | 'follow_up';
    /** A follow-up run: after what, in words. */
    follows?: string;
    actorUserId?: string;
  }): Promise<{ runId: string }>;
  /** Calls the plugin's `auth.testHook`. */
  testConnection(input: { integrationId: string; tenantId: string }): Promise<TestConnectionOutput>;
  /** Calls a hook named by a manifest action (input already validated). */
  runAction(input: {
    integrationId: string;
    tenantId: string;
    hook: string;
    input: unknown;
  }): Promise<unknown>;
  /** The signed URL of a manifest webhook for one integration. */
  webhookUrl(integrationId: string, webhookId: string): string;
}

/** What the integration service's parts share; the sync engine is built before the service. */
export interface IntegrationDeps {
  db: Database;
  vault: Vault;
  plugins: HostPlugins;
  scheduler: Scheduler;
  logger: Logger;
  sync: SyncHooks;
}
