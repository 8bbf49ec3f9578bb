import { randomBytes, randomUUID } from 'node:crypto';
import type { AccountOutput } from '@mch/plugin-sdk';
import * as oauth from 'oauth4webapi';
import type { HostPlugins, OAuthHooks } from '../app/services.ts';
import type { Database } from '../db/orm.ts';
import { HostError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import type { LoadedPlugin } from '../plugins/types.ts';
import { OAUTH_CREDENTIAL_KIND } from '../runtime/oauth-authorizer.ts';
import type { SyncEngine } from '../sync/sync-engine.ts';
import { saveCredential } from '../vault/credentials.ts';
import type { Vault } from '../vault/vault.ts';
import { createOAuthClient, OAuthGrantError, type OAuthTokens } from './oauth-client.ts';
import { identifyAccount, upsertIntegration } from './oauth-integration.ts';
import { assertSameCaller, consumeState, decryptVerifier, saveState, type StateRow } from './oauth-state.ts';

export interface OAuthBrokerDeps {
  db: Database;
  vault: Vault;
  plugins: HostPlugins;
  engine: SyncEngine;
  logger: Logger;
  /** Puts a (new or renewed) integration's jobs on the scheduler. */
  schedule(integrationId: string): Promise<void>;
}

type AuthUrlInput = Parameters<OAuthHooks['authUrl']>[0];
type CallbackInput = Parameters<OAuthHooks['callback']>[0];

/**
 * Connects marketplace accounts with OAuth 2.0 authorization code + PKCE (SPEC "OAuth broker"):
 * a random `state` bound to the tenant, the user and the console session, single use, 10
 * minutes; the verifier encrypted in the vault; the account identified by the plugin's
 * `accountHook`, so connecting the same account again renews its tokens instead of creating a
 * second integration, and an account already working for another tenant is refused (409).
 */
export function createOAuthBroker(deps: OAuthBrokerDeps): OAuthHooks {
  return {
    authUrl: (input) => startAuthorization(deps, input),
    callback: (input) => completeAuthorization(deps, input),
  };
}

function pluginFor(deps: OAuthBrokerDeps, pluginId: string): LoadedPlugin {
  const plugin = deps.plugins.get(pluginId);
  if (!plugin || plugin.manifest.auth.type !== 'oauth2') {
    throw new HostError('NOT_FOUND', `No OAuth plugin '${pluginId}' is loaded.`);
  }
  return plugin;
}

function clientFor(deps: OAuthBrokerDeps, plugin: LoadedPlugin) {
  if (plugin.manifest.auth.type !== 'oauth2')
    throw new HostError('BAD_REQUEST', `${plugin.id} does not use OAuth.`);
  try {
    return createOAuthClient({ auth: plugin.manifest.auth, config: deps.engine.configFor(plugin) });
  } catch (error) {
    throw new HostError('PRECONDITION_FAILED', (error as Error).message, { cause: error });
  }
}

/** The marketplace's authorization URL, with a new state (and PKCE challenge) stored for the callback. */
async function startAuthorization(deps: OAuthBrokerDeps, input: AuthUrlInput): Promise<{ url: string }> {
  const plugin = pluginFor(deps, input.pluginId);
  const client = clientFor(deps, plugin);
  const pkce = plugin.manifest.auth.type === 'oauth2' && plugin.manifest.auth.pkce;
  const state = randomBytes(32).toString('base64url');
  const verifier = pkce ? oauth.generateRandomCodeVerifier() : '';
  await saveState(deps, {
    state,
    tenantId: input.tenantId,
    userId: input.principal.userId,
    pluginId: plugin.id,
    integrationId: input.integrationId ?? null,
    verifier,
    returnTo: input.returnTo ?? null,
    sessionHash: input.sessionHash ?? null,
  });
  const codeChallenge = pkce ? await oauth.calculatePKCECodeChallenge(verifier) : undefined;
  return { url: client.authorizeUrl({ state, codeChallenge }) };
}

/** The marketplace's redirect back: checks the state, gets the tokens, connects the account. */
async function completeAuthorization(
  deps: OAuthBrokerDeps,
  input: CallbackInput,
): Promise<{ integrationId: string; returnTo: string | null }> {
  const plugin = pluginFor(deps, input.pluginId);
  if (!input.state)
    throw new HostError('BAD_REQUEST', 'The callback has no state: start connecting the account again.');
  const state = await consumeState(deps, { state: input.state, pluginId: plugin.id });
  const code = checkCallback(state, input);
  const tokens = await exchangeCode(deps, { plugin, state, code });
  const account = await identifyAccount(deps, { plugin, tenantId: state.tenant_id, tokens });
  const integrationId = await upsertIntegration(deps, {
    plugin,
    tenantId: state.tenant_id,
    account,
    wanted: state.integration_id,
  });
  await recordConnection(deps, { plugin, state, integrationId, account, tokens });
  await deps.schedule(integrationId);
  deps.logger.info({ integrationId, pluginId: plugin.id }, 'marketplace account connected');
  return { integrationId, returnTo: state.return_to };
}

/**
 * The callback's caller, age and outcome, checked after the state was consumed on purpose: a
 * link someone else tried to complete is dead. Returns the authorization code.
 */
function checkCallback(state: StateRow, input: CallbackInput): string {
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
  if (!input.code) throw new HostError('BAD_REQUEST', 'The callback has no authorization code; start again.');
  return input.code;
}

async function exchangeCode(
  deps: OAuthBrokerDeps,
  input: { plugin: LoadedPlugin; state: StateRow; code: string },
): Promise<OAuthTokens> {
  const client = clientFor(deps, input.plugin);
  const verifier = await decryptVerifier(deps, input.state);
  try {
    return await client.exchangeCode({ code: input.code, codeVerifier: verifier || undefined });
  } catch (error) {
    if (error instanceof OAuthGrantError) {
      throw new HostError(
        'BAD_REQUEST',
        `The marketplace did not accept the authorization code (${error.message}); start again.`,
      );
    }
    throw error;
  }
}

/** Stores the tokens in the vault and the connection in the audit log. */
async function recordConnection(
  deps: OAuthBrokerDeps,
  input: {
    plugin: LoadedPlugin;
    state: StateRow;
    integrationId: string;
    account: AccountOutput;
    tokens: OAuthTokens;
  },
): Promise<void> {
  const { state, integrationId, tokens } = input;
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
      JSON.stringify({ pluginId: input.plugin.id, account: input.account.id }),
    ],
  );
}
