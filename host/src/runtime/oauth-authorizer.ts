import { setTimeout as sleep } from 'node:timers/promises';
import { AuthError } from '@mch/plugin-sdk';
import type { Database } from '../db/orm.ts';
import { OAuthGrantError, type OAuthClient, type OAuthTokens } from '../oauth/oauth-client.ts';
import { loadCredential, saveCredential } from '../vault/credentials.ts';
import type { Vault } from '../vault/vault.ts';
import type { RequestAuthorizer } from './plugin-http.ts';

export const OAUTH_CREDENTIAL_KIND = 'oauth';
const LEASE_SECONDS = 30;

export interface OAuthAuthorizerOptions {
  db: Database;
  vault: Vault;
  client: OAuthClient;
  tenantId: string;
  integrationId: string;
  /** Refresh this long before expiry (manifest `auth.refreshLeadSeconds`; Allegro: 3600). */
  leadSeconds: number;
  /** Who holds the lease (process + run), for diagnostics. */
  owner: string;
  /** The refresh token is dead (`invalid_grant`): mark the integration "needs re-auth". */
  onRevoked(reason: string): Promise<void>;
}

/**
 * Bearer tokens for `ctx.http`, refreshed ahead of expiry. One refresh at a time per integration
 * across every process: a lease on the credential row (`lease_until`) is taken atomically; the
 * others wait for the new version instead of refreshing too — a second refresh would spend the
 * single-use refresh token twice (Allegro rotates it) and log the account out. The rotated tokens
 * are stored before anyone uses them.
 */
export function createOAuthAuthorizer(options: OAuthAuthorizerOptions): RequestAuthorizer & {
  refreshNow(): Promise<OAuthTokens>;
} {
  const { db, vault, tenantId, integrationId } = options;
  let cached: { tokens: OAuthTokens; version: number } | undefined;

  const load = async () => {
    const stored = await loadCredential<OAuthTokens>({
      em: db.orm.em.fork(),
      vault,
      tenantId,
      integrationId,
      kind: OAUTH_CREDENTIAL_KIND,
    });
    if (!stored) throw new AuthError('This account has no OAuth tokens; connect it again.');
    cached = { tokens: stored.secret, version: stored.version };
    return cached;
  };
  const due = (tokens: OAuthTokens) =>
    Date.parse(tokens.expiresAt) - options.leadSeconds * 1000 <= Date.now();

  const takeLease = async (): Promise<boolean> => {
    const { rows } = await db.pool.query(
      `update credentials set lease_until = clock_timestamp() + make_interval(secs => $3), lease_owner = $4
        where tenant_id = $1 and integration_id = $2 and kind = '${OAUTH_CREDENTIAL_KIND}'
          and (lease_until is null or lease_until < clock_timestamp())
        returning id`,
      [tenantId, integrationId, LEASE_SECONDS, options.owner],
    );
    return rows.length > 0;
  };
  const releaseLease = () =>
    db.pool.query(
      `update credentials set lease_until = null, lease_owner = null
        where tenant_id = $1 and integration_id = $2 and kind = '${OAUTH_CREDENTIAL_KIND}' and lease_owner = $3`,
      [tenantId, integrationId, options.owner],
    );

  /** Refreshes unless someone else already did since `seenVersion`; returns the current tokens. */
  const refresh = async (seenVersion: number): Promise<OAuthTokens> => {
    const deadline = Date.now() + (LEASE_SECONDS + 5) * 1000;
    while (Date.now() < deadline) {
      if (await takeLease()) {
        try {
          const current = await load();
          if (current.version !== seenVersion) return current.tokens; // refreshed meanwhile
          const refreshToken = current.tokens.refreshToken;
          if (!refreshToken)
            throw new AuthError(
              'The access token expired and there is no refresh token; reconnect the account.',
            );
          let fresh: OAuthTokens;
          try {
            fresh = await options.client.refresh(refreshToken);
          } catch (error) {
            if (error instanceof OAuthGrantError && error.oauthError === 'invalid_grant') {
              const reason = `The marketplace revoked this account's authorization (${error.message}); reconnect it.`;
              await options.onRevoked(reason);
              throw new AuthError(reason, { cause: error });
            }
            throw error;
          }
          const merged = { ...fresh, refreshToken: fresh.refreshToken ?? refreshToken };
          const saved = await saveCredential({
            em: db.orm.em.fork(),
            vault,
            tenantId,
            integrationId,
            kind: OAUTH_CREDENTIAL_KIND,
            secret: merged,
            expiresAt: new Date(merged.expiresAt),
            expectedVersion: current.version,
          });
          cached = { tokens: merged, version: saved.version };
          return merged;
        } finally {
          await releaseLease();
        }
      }
      // Another process is refreshing: wait for its new version.
      await sleep(150);
      const current = await load();
      if (current.version !== seenVersion) return current.tokens;
    }
    throw new AuthError('Timed out waiting for another process to refresh the token; try again.');
  };

  return {
    async headers() {
      const current = cached ?? (await load());
      const tokens = due(current.tokens) ? await refresh(current.version) : current.tokens;
      return { authorization: `Bearer ${tokens.accessToken}` };
    },
    async recover() {
      const before = cached?.version ?? (await load()).version;
      try {
        await refresh(before);
        return true;
      } catch (error) {
        if (error instanceof AuthError) return false;
        throw error;
      }
    },
    async refreshNow() {
      const current = await load();
      return refresh(current.version);
    },
  };
}
