import { openDatabase } from '../db/orm.ts';
import type { OAuthTokens } from '../oauth/oauth-client.ts';
import { OAUTH_CREDENTIAL_KIND } from '../runtime/oauth-authorizer.ts';
import type { RequestAuthorizer } from '../runtime/plugin-http.ts';
import { createAuthorizer } from '../sync/authorizer.ts';
import { loadCredential, saveCredential } from '../vault/credentials.ts';
import { parseMasterKey } from '../vault/master-key.ts';
import { createVault } from '../vault/vault.ts';
import type { TestHost } from './test-host.ts';

interface Account {
  tenantId: string;
  integrationId: string;
}

/**
 * Moves an OAuth integration's stored token to expire in `inMs` (default 30 minutes: inside the
 * one-hour refresh lead, so its next use refreshes). Returns the tokens as they were.
 */
export async function expireTokenSoon(
  host: TestHost,
  account: Account,
  inMs = 30 * 60_000,
): Promise<OAuthTokens> {
  const { db, vault } = host.app.services;
  const key = { ...account, kind: OAUTH_CREDENTIAL_KIND };
  const stored = await loadCredential<OAuthTokens>({ em: db.orm.em.fork(), vault, ...key });
  if (!stored) throw new Error(`integration ${account.integrationId} holds no OAuth token`);
  const at = new Date(Date.now() + inMs);
  await saveCredential({
    em: db.orm.em.fork(),
    vault,
    ...key,
    secret: { ...stored.secret, expiresAt: at.toISOString() },
    expiresAt: at,
  });
  return stored.secret;
}

/**
 * How two host processes authenticate one integration's requests: the test host's own database
 * and vault, and a second "process" with its own connection pools on the same PostgreSQL database
 * and its own vault over the same master key — each as the sync engine builds it for a run.
 */
export async function twoProcessAuthorizers(
  host: TestHost,
  account: Account & { pluginId: string; config: Record<string, string> },
): Promise<{
  first: RequestAuthorizer;
  second: RequestAuthorizer;
  revoked: string[];
  close(): Promise<void>;
}> {
  const { services } = host.app;
  if (!host.database.url) throw new Error('two processes need a PostgreSQL server (DATABASE_URL)');
  const other = await openDatabase({ databaseUrl: host.database.url, poolSize: 2 });
  const otherVault = createVault({ db: other, masterKey: parseMasterKey(services.env.masterKey!, 'test') });
  const revoked: string[] = [];
  const manifest = services.plugins.get(account.pluginId)!.manifest;
  const authorizer = (owner: string, db: typeof services.db, vault: typeof services.vault) =>
    createAuthorizer({
      manifest,
      config: account.config,
      settings: {},
      secrets: { get: async () => undefined },
      db,
      vault,
      tenantId: account.tenantId,
      integrationId: account.integrationId,
      owner,
      onRevoked: async (reason) => void revoked.push(reason),
    });
  return {
    first: authorizer('process-a', services.db, services.vault),
    second: authorizer('process-b', other, otherVault),
    revoked,
    close: () => other.close(),
  };
}
