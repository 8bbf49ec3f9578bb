// What the integration service needs from the rest of the host, declared here where it is used:
// the composition root (app/host-app.ts) supplies them, the sync engine implements `SyncHooks`.
import type { TestConnectionOutput } from '@mch/plugin-sdk';
import type { Database } from '../db/orm.ts';
import type { Logger } from '../logging/logger.ts';
import type { HostPlugins } from '../plugins/types.ts';
import type { Scheduler } from '../scheduler/types.ts';
import type { Vault } from '../vault/index.ts';

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

/** What the integration service's parts share. `sync` is read late: the sync engine may replace it. */
export interface IntegrationDeps {
  db: Database;
  vault: Vault;
  plugins: HostPlugins;
  scheduler: Scheduler | undefined;
  logger: Logger;
  sync: () => SyncHooks;
}
