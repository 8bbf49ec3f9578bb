import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AccountOutput } from '@mch/plugin-sdk';
import * as oauth from 'oauth4webapi';
import type { HostPlugins, OAuthHooks } from '../app/services.ts';
import type { Database } from '../db/orm.ts';
import { ACCOUNT_UNIQUE_INDEX, accountTakenMessage } from '../integrations/account-key.ts';
import { HostError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import type { LoadedPlugin } from '../plugins/types.ts';
import { OAUTH_CREDENTIAL_KIND } from '../runtime/oauth-authorizer.ts';
import type { SyncEngine } from '../sync/sync-engine.ts';
import { saveCredential } from '../vault/credentials.ts';
import type { Vault } from '../vault/vault.ts';
import { createOAuthClient, OAuthGrantError, type OAuthTokens } from './oauth-client.ts';

/** A state is good for this long: enough to log in at the marketplace, short enough to be useless later. */
const STATE_TTL_MS = 10 * 60 * 1000;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

interface StateRow {
  tenant_id: string;
  user_id: string;
  plugin_id: string;
  integration_id: string | null;
  verifier_ciphertext: string;
  return_to: string | null;
  session_hash: string | null;
  expires_at: Date | string;
  used_at: Date | string | null;
}

export interface OAuthBrokerDeps {
  db: Database;
  vault: Vault;
  plugins: HostPlugins;
  engine: SyncEngine;
  logger: Logger;
  /** Puts a (new or renewed) integration's jobs on the scheduler. */
  schedule(integrationId: string): Promise<void>;
}

/**
 * The callback must be completed by whoever started the authorization (RFC 9700 §4.7.1: state
 * bound to the user agent): in the same console session when a session started it, else by the
 * same user (an API token's owner, signed in or sending the token). Otherwise an attacker could
 * hand a victim their authorization link and receive the victim's marketplace account.
 */
function assertSameCaller(
  state: StateRow,
  caller: { userId: string | null; sessionHash: string | null },
): void {
  if (caller.userId && caller.userId !== state.user_id) {
    throw new HostError(
      'FORBIDDEN',
      'This authorization was started by another user, so nothing was connected. Connect the account from your own Settings → Integrations page.',
    );
  }
  if (state.session_hash) {
    if (caller.sessionHash !== state.session_hash) {
      throw new HostError(
        'FORBIDDEN',
        'This authorization was started in another browser or session, so nothing was connected. Start connecting the account again from this browser (Settings → Integrations).',
      );
    }
  } else if (caller.userId !== state.user_id) {
    throw new HostError(
      'FORBIDDEN',
      'This authorization was started with an API token, so it must be completed by the same user: send that token with the callback, or sign in to the console first. Nothing was connected; start again.',
    );
  }
}

/**
 * Connects marketplace accounts with OAuth 2.0 authorization code + PKCE (SPEC "OAuth broker"):
 * a random `state` bound to the tenant, the user and the console session, single use, 10
 * minutes; the verifier encrypted in the vault; the account identified by the plugin's
 * `accountHook`, so connecting the same account again renews its tokens instead of creating a
 * second integration, and an account already working for another tenant is refused (409).
 */
export function createOAuthBroker(deps: OAuthBrokerDeps): OAuthHooks {
  const pluginFor = (pluginId: string): LoadedPlugin => {
    const plugin = deps.plugins.get(pluginId);
    if (!plugin || plugin.manifest.auth.type !== 'oauth2') {
      throw new HostError('NOT_FOUND', `No OAuth plugin '${pluginId}' is loaded.`);
    }
    return plugin;
  };
  const clientFor = (plugin: LoadedPlugin) => {
    if (plugin.manifest.auth.type !== 'oauth2')
      throw new HostError('BAD_REQUEST', `${plugin.id} does not use OAuth.`);
    try {
      return createOAuthClient({ auth: plugin.manifest.auth, config: deps.engine.configFor(plugin) });
    } catch (error) {
      throw new HostError('PRECONDITION_FAILED', (error as Error).message, { cause: error });
    }
  };

  return {
    async authUrl(input) {
      const plugin = pluginFor(input.pluginId);
      const client = clientFor(plugin);
      const pkce = plugin.manifest.auth.type === 'oauth2' && plugin.manifest.auth.pkce;
      const state = randomBytes(32).toString('base64url');
      const verifier = pkce ? oauth.generateRandomCodeVerifier() : '';
      await deps.db.pool.query(
        `insert into oauth_states (state_hash, tenant_id, user_id, plugin_id, integration_id, verifier_ciphertext, return_to, session_hash, expires_at, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, clock_timestamp())`,
        [
          sha256(state),
          input.tenantId,
          input.principal.userId,
          plugin.id,
          input.integrationId ?? null,
          await deps.vault.encrypt({
            tenantId: input.tenantId,
            plaintext: verifier,
            context: 'oauth-verifier',
          }),
          input.returnTo ?? null,
          input.sessionHash ?? null,
          new Date(Date.now() + STATE_TTL_MS),
        ],
      );
      const codeChallenge = pkce ? await oauth.calculatePKCECodeChallenge(verifier) : undefined;
      return { url: client.authorizeUrl({ state, codeChallenge }) };
    },

    async callback(input) {
      const plugin = pluginFor(input.pluginId);
      if (!input.state)
        throw new HostError('BAD_REQUEST', 'The callback has no state: start connecting the account again.');
      const stateHash = sha256(input.state);
      // Consume the state first, atomically: a replayed callback finds it used.
      const { rows } = await deps.db.pool.query<StateRow>(
        `update oauth_states set used_at = clock_timestamp()
          where state_hash = $1 and used_at is null and plugin_id = $2
          returning tenant_id, user_id, plugin_id, integration_id, verifier_ciphertext, return_to, session_hash, expires_at, used_at`,
        [stateHash, plugin.id],
      );
      const state = rows[0];
      if (!state) {
        const seen = await deps.db.pool.query('select 1 from oauth_states where state_hash = $1', [
          stateHash,
        ]);
        throw new HostError(
          'BAD_REQUEST',
          seen.rows.length
            ? 'This authorization was already completed (the link was used twice); connect the account again if needed.'
            : 'Unknown authorization state: the link is forged or from another server; start connecting the account again.',
        );
      }
      // Consumed before this check on purpose: a link someone else tried to complete is dead.
      assertSameCaller(state, input.caller);
      if (new Date(state.expires_at).getTime() < Date.now()) {
        throw new HostError(
          'BAD_REQUEST',
          'The authorization took too long and expired; start connecting the account again.',
        );
      }
      if (input.error) {
        throw new HostError(
          'BAD_REQUEST',
          input.error === 'access_denied'
            ? 'You declined access at the marketplace, so no account was connected.'
            : `The marketplace refused the authorization (${input.error}); try again.`,
        );
      }
      if (!input.code)
        throw new HostError('BAD_REQUEST', 'The callback has no authorization code; start again.');

      const client = clientFor(plugin);
      const verifier = await deps.vault.decrypt({
        tenantId: state.tenant_id,
        ciphertext: state.verifier_ciphertext,
        context: 'oauth-verifier',
      });
      let tokens: OAuthTokens;
      try {
        tokens = await client.exchangeCode({ code: input.code, codeVerifier: verifier || undefined });
      } catch (error) {
        if (error instanceof OAuthGrantError) {
          throw new HostError(
            'BAD_REQUEST',
            `The marketplace did not accept the authorization code (${error.message}); start again.`,
          );
        }
        throw error;
      }
      const account = await identify({ plugin, tenantId: state.tenant_id, tokens });
      const integrationId = await upsertIntegration({
        plugin,
        tenantId: state.tenant_id,
        account,
        wanted: state.integration_id,
      });
      await saveCredential({
        em: deps.db.orm.em.fork(),
        vault: deps.vault,
        tenantId: state.tenant_id,
        integrationId,
        kind: OAUTH_CREDENTIAL_KIND,
        secret: tokens,
        expiresAt: new Date(tokens.expiresAt),
      });
      await deps.db.pool.query(
        `insert into audit_log (id, tenant_id, actor_user_id, action, target_type, target_id, details, at)
         values ($1, $2, $3, 'integration.connected', 'integration', $4, $5::jsonb, clock_timestamp())`,
        [
          randomUUID(),
          state.tenant_id,
          state.user_id,
          integrationId,
          JSON.stringify({ pluginId: plugin.id, account: account.id }),
        ],
      );
      await deps.schedule(integrationId);
      deps.logger.info({ integrationId, pluginId: plugin.id }, 'marketplace account connected');
      return { integrationId, returnTo: state.return_to };
    },
  };

  async function identify(input: {
    plugin: LoadedPlugin;
    tenantId: string;
    tokens: OAuthTokens;
  }): Promise<AccountOutput> {
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
  async function upsertIntegration(input: {
    plugin: LoadedPlugin;
    tenantId: string;
    account: AccountOutput;
    wanted: string | null;
  }): Promise<string> {
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
    try {
      return await writeIntegration({ ...input, label, id: found ?? input.wanted });
    } catch (error) {
      // Another tenant connected the same account at the same moment: the index decides.
      if ((error as { constraint?: string }).constraint === ACCOUNT_UNIQUE_INDEX)
        throw new HostError('CONFLICT', accountTakenMessage(label), { cause: error });
      throw error;
    }
  }

  async function writeIntegration(input: {
    plugin: LoadedPlugin;
    tenantId: string;
    account: AccountOutput;
    label: string;
    id: string | null;
  }): Promise<string> {
    const { label, id } = input;
    if (id) {
      await deps.db.pool.query(
        // A plugin of the company's documents keeps its company key (one connection per company).
        `update integrations set status = 'active', status_reason = null, consecutive_failures = 0, label = $3,
                external_account_id = case when company_id is not null and external_account_id like 'company:%'
                                           then external_account_id else $4 end,
                updated_at = clock_timestamp()
          where id = $1 and tenant_id = $2`,
        [id, input.tenantId, label, input.account.id],
      );
      return id;
    }
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
        label,
        input.account.id,
        JSON.stringify(settings.value),
        input.plugin.manifest.settingsVersion ?? 1,
      ],
    );
    return newId;
  }
}
