import { randomUUID } from 'node:crypto';
import type { AccountOutput } from '@mch/plugin-sdk';
import type { Database } from '../db/orm.ts';
import { HostError } from '../errors.ts';
import { ACCOUNT_UNIQUE_INDEX, accountTakenMessage } from '../integrations/account-key.ts';
import type { LoadedPlugin } from '../plugins/types.ts';
import type { SyncEngine } from '../sync/sync-engine.ts';
import type { OAuthTokens } from './oauth-client.ts';

/** The marketplace account behind new tokens, from the plugin's `accountHook` (a fresh id without one). */
export async function identifyAccount(
  deps: { engine: SyncEngine },
  input: { plugin: LoadedPlugin; tenantId: string; tokens: OAuthTokens },
): Promise<AccountOutput> {
  const hook = input.plugin.manifest.auth.accountHook;
  if (!hook) return { id: `${input.plugin.id}-${randomUUID()}` };
  return deps.engine.callHook<AccountOutput>({
    plugin: input.plugin,
    integration: { id: randomUUID(), tenantId: input.tenantId, settings: {} },
    hook,
    authorizer: {
      headers: async () => ({ authorization: `Bearer ${input.tokens.accessToken}` }),
      recover: async () => false,
    },
  });
}

/** The account's integration: renewed when already connected, created otherwise. */
export async function upsertIntegration(
  deps: { db: Database },
  input: {
    plugin: LoadedPlugin;
    tenantId: string;
    account: AccountOutput;
    wanted: string | null;
  },
): Promise<string> {
  const label = input.account.label ?? input.account.id;
  const existing = await deps.db.pool.query<{ id: string }>(
    `select id from integrations where tenant_id = $1 and plugin_id = $2 and external_account_id = $3`,
    [input.tenantId, input.plugin.id, input.account.id],
  );
  const found = existing.rows[0]?.id;
  const elsewhere = await deps.db.pool.query(
    `select 1 from integrations where plugin_id = $1 and external_account_id = $2 and tenant_id <> $3
        and status <> 'disabled' limit 1`,
    [input.plugin.id, input.account.id, input.tenantId],
  );
  if (elsewhere.rows.length > 0) throw new HostError('CONFLICT', accountTakenMessage(label));
  if (input.wanted && found && found !== input.wanted) {
    throw new HostError(
      'CONFLICT',
      `You signed in as ${label}, which is another connected account; sign in as the account you meant to reconnect.`,
    );
  }
  const id = found ?? input.wanted;
  // Without an account hook the id is one the host made up: never a name to show. A renewed
  // account keeps its label then (the demo's "RO e-Factura (demo)", a name the seller gave it).
  const named = input.account.label ?? (input.plugin.manifest.auth.accountHook ? input.account.id : null);
  try {
    return id
      ? await renewIntegration(deps, { ...input, label: named, id })
      : await insertIntegration(deps, { ...input, label: named ?? input.plugin.manifest.name });
  } catch (error) {
    // Another tenant connected the same account at the same moment: the index decides.
    if ((error as { constraint?: string }).constraint === ACCOUNT_UNIQUE_INDEX)
      throw new HostError('CONFLICT', accountTakenMessage(label), { cause: error });
    throw error;
  }
}

interface WriteInput {
  plugin: LoadedPlugin;
  tenantId: string;
  account: AccountOutput;
  label: string | null;
}

async function renewIntegration(deps: { db: Database }, input: WriteInput & { id: string }): Promise<string> {
  await deps.db.pool.query(
    // A plugin of the company's documents keeps its company key (one connection per company).
    `update integrations set status = 'active', status_reason = null, consecutive_failures = 0, disconnected_at = null, label = coalesce($3, label),
            external_account_id = case when company_id is not null and external_account_id like 'company:%'
                                       then external_account_id else $4 end,
            updated_at = clock_timestamp()
      where id = $1 and tenant_id = $2`,
    [input.id, input.tenantId, input.label, input.account.id],
  );
  return input.id;
}

async function insertIntegration(deps: { db: Database }, input: WriteInput): Promise<string> {
  const settings = input.plugin.validateSettings({});
  if (!settings.ok)
    throw new HostError('PRECONDITION_FAILED', `${input.plugin.id}'s default settings are invalid.`);
  const newId = randomUUID();
  await deps.db.pool.query(
    `insert into integrations (id, tenant_id, plugin_id, label, external_account_id, status, settings, settings_version,
                               consecutive_failures, sync_error_count, created_at, updated_at)
     values ($1, $2, $3, $4, $5, 'active', $6::jsonb, $7, 0, 0, clock_timestamp(), clock_timestamp())`,
    [
      newId,
      input.tenantId,
      input.plugin.id,
      input.label,
      input.account.id,
      JSON.stringify(settings.value),
      input.plugin.manifest.settingsVersion ?? 1,
    ],
  );
  return newId;
}
