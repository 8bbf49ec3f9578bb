import { randomBytes, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '@mch/plugin-sdk';
import { openDatabase, type Database } from '../src/db/orm.ts';
import { createOAuthClient, type OAuthTokens } from '../src/oauth/oauth-client.ts';
import { createOAuthAuthorizer, OAUTH_CREDENTIAL_KIND } from '../src/runtime/oauth-authorizer.ts';
import { createTenant } from '../src/tenancy/index.ts';
import { loadCredential, saveCredential } from '../src/vault/credentials.ts';
import { createVault } from '../src/vault/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/database.ts';

/**
 * A token endpoint that rotates single-use refresh tokens like Allegro's (reference: "refresh
 * token … single use: each refresh returns a new pair"), counts refreshes, and is slow enough
 * that two concurrent refreshes would overlap.
 */
async function tokenServer(): Promise<{
  app: FastifyInstance;
  url: string;
  refreshes: () => number;
  revoke(): void;
}> {
  const live = new Set<string>(['refresh-0']);
  let refreshes = 0;
  let revoked = false;
  const app = Fastify();
  await app.register(formbody);
  app.post('/token', async (request, reply) => {
    const body = request.body as Record<string, string>;
    if (request.headers.authorization !== `Basic ${Buffer.from('client:secret').toString('base64')}`) {
      return reply.code(401).send({ error: 'invalid_client' });
    }
    if (body.grant_type !== 'refresh_token') return reply.code(400).send({ error: 'unsupported_grant_type' });
    await new Promise((r) => setTimeout(r, 150));
    if (revoked || !live.delete(body.refresh_token ?? '')) {
      return reply.code(400).send({ error: 'invalid_grant', error_description: 'refresh token is invalid' });
    }
    refreshes++;
    const next = `refresh-${refreshes}`;
    live.add(next);
    return {
      access_token: `access-${refreshes}`,
      token_type: 'bearer',
      refresh_token: next,
      expires_in: 43199,
    };
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `unexpected ${request.method} ${request.url}` }),
  );
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url, refreshes: () => refreshes, revoke: () => (revoked = true) };
}

describe('token refresh: one at a time per integration, across processes', () => {
  let t: TestDatabase;
  let other: Database;
  let server: Awaited<ReturnType<typeof tokenServer>>;
  const masterKey = randomBytes(32);
  const integrationId = randomUUID();
  let tenantId: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    // A second "process": its own connection pool on the same database (embedded: the same one).
    other = t.url ? await openDatabase({ databaseUrl: t.url, poolSize: 2 }) : t.db;
    server = await tokenServer();
    ({ id: tenantId } = await createTenant({ em: t.db.orm.em.fork(), name: 'Refresh Co' }));
    await t.db.pool.query(
      `insert into integrations (id, tenant_id, plugin_id, label, status, settings, settings_version, consecutive_failures, sync_error_count, created_at, updated_at)
       values ($1, $2, 'oauth-fixture', 'acct', 'active', '{}'::jsonb, 1, 0, 0, now(), now())`,
      [integrationId, tenantId],
    );
    const tokens: OAuthTokens = {
      accessToken: 'access-0',
      refreshToken: 'refresh-0',
      tokenType: 'bearer',
      scope: undefined,
      // Inside the one-hour lead: the next use refreshes (seed: "refreshed 1 hour before expiry").
      expiresAt: new Date(Date.now() + 30 * 60 * 1000).toISOString(),
    };
    await saveCredential({
      em: t.db.orm.em.fork(),
      vault: createVault({ db: t.db, masterKey }),
      tenantId,
      integrationId,
      kind: OAUTH_CREDENTIAL_KIND,
      secret: tokens,
      expiresAt: new Date(tokens.expiresAt),
    });
  });
  afterAll(async () => {
    if (other !== t.db) await other.close();
    await t.close();
    await server.app.close();
  });

  const authorizer = (db: Database, owner: string, revoked: string[] = []) =>
    createOAuthAuthorizer({
      db,
      vault: createVault({ db, masterKey }),
      client: createOAuthClient({
        auth: {
          type: 'oauth2',
          authorizeUrl: `${server.url}/authorize`,
          tokenUrl: `${server.url}/token`,
          clientIdConfig: 'CID',
          clientSecretConfig: 'CSECRET',
          redirectUriConfig: 'CREDIRECT',
          scopes: [],
          pkce: true,
          clientAuth: 'basic',
          refreshLeadSeconds: 3600,
        },
        config: { CID: 'client', CSECRET: 'secret', CREDIRECT: 'http://127.0.0.1/cb' },
      }),
      tenantId,
      integrationId,
      leadSeconds: 3600,
      owner,
      onRevoked: async (reason) => void revoked.push(reason),
    });

  it('two processes needing a fresh token at once cause exactly one refresh and agree on it', async () => {
    const [a, b] = await Promise.all([
      authorizer(t.db, 'process-a').headers(),
      authorizer(other, 'process-b').headers(),
    ]);
    expect(server.refreshes()).toBe(1);
    expect(a).toEqual({ authorization: 'Bearer access-1' });
    expect(b).toEqual(a);
    const stored = await loadCredential<OAuthTokens>({
      em: t.db.orm.em.fork(),
      vault: createVault({ db: t.db, masterKey }),
      tenantId,
      integrationId,
      kind: OAUTH_CREDENTIAL_KIND,
    });
    // The rotated refresh token was stored before anyone used the new access token.
    expect(stored?.secret.refreshToken).toBe('refresh-1');
    expect(stored?.version).toBe(2);
    // Far from expiry now: no further refresh.
    await authorizer(t.db, 'process-c').headers();
    expect(server.refreshes()).toBe(1);
  });

  it('a revoked authorization marks the account for re-auth and fails with a clear error', async () => {
    server.revoke();
    const revoked: string[] = [];
    const error = await authorizer(t.db, 'process-d', revoked)
      .refreshNow()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toMatch(/revoked this account's authorization.*reconnect/);
    expect(revoked).toHaveLength(1);
  });
});
