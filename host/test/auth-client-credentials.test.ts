import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  PAGES,
  startSandbox,
  type FakeErp,
} from './fixtures/plugins/fixture-client-credentials/sandbox/index.ts';
import { demoSettings } from '../src/app/demo-mode.ts';
import { startTestHost, type TestActor, type TestHost } from './support/test-host.ts';

const REGISTRY = join(import.meta.dirname, 'fixtures', 'plugins', 'client-credentials.registry.json');
const PLUGIN = 'fixture-client-credentials';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Issue 14 "Auth kinds": OAuth 2.0 client credentials (RFC 6749 §4.4). The seller's API client id
// and secret are settings; the host fetches the bearer token, shares it, and fetches a new one
// before it expires or after a 401; a refused client is a refusal in words; nothing secret is shown.
describe('auth type oauth2ClientCredentials: a bearer token from the client id and secret, fetched again when due', () => {
  let host: TestHost;
  let erp: FakeErp;
  let user: TestActor;
  let id: string;

  /** Waits until no run of the integration is queued or running. */
  const settle = async (integrationId: string) => {
    for (let i = 0; i < 300; i++) {
      const runs = await user.trpc.integrations.runs.query({ id: integrationId });
      if (runs.every((r) => !['queued', 'running', 'retrying'].includes(r.status))) return;
      await sleep(50);
    }
    throw new Error('runs did not finish');
  };
  /** Starts a sync and waits for its outcome. */
  const sync = async (integrationId: string) => {
    await settle(integrationId);
    const { runId } = await user.trpc.integrations.sync.mutate({ id: integrationId });
    let run: { status: string; error: string | null } = { status: 'queued', error: null };
    for (let i = 0; i < 300 && !['succeeded', 'failed'].includes(run.status); i++) {
      await sleep(50);
      run = await user.trpc.integrations.run.query({ runId });
    }
    return run;
  };

  beforeAll(async () => {
    erp = await startSandbox();
    host = await startTestHost({ registryPath: REGISTRY, role: 'all', schedulerPollMs: 100 });
    host.plantSecret(CLIENT_SECRET);
    host.plantSecret(Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64'));
    erp.onIssue((token) => host.plantSecret(token));
    user = await host.createActor({ role: 'tenant_admin', tenantId: (await host.createTenant()).id });
    const created = await user.trpc.integrations.create.mutate({
      pluginId: PLUGIN,
      settings: { shopUrl: erp.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    });
    id = created.id;
    expect(created.connection).toMatchObject({ verdict: 'connected' });
    await settle(id);
  });
  afterAll(async () => {
    await host?.stop(); // fails if the secret or a token reached the logs
    await erp?.close();
  });

  it('connecting asks for a token with the client in HTTP Basic, the grant and the scope; a sync imports the orders', async () => {
    expect(erp.tokenRequests()[0]).toEqual({
      clientId: CLIENT_ID,
      grantType: 'client_credentials',
      scope: 'orders:read',
      via: 'basic',
    });
    const run = await sync(id);
    expect(run).toMatchObject({ status: 'succeeded', error: null });
    const { invoices } = await user.trpc.invoices.list.query({ integrationId: id });
    expect(invoices).toHaveLength(PAGES * 2);
  });

  it('one token serves every request of several syncs; none is refused', async () => {
    const tokensBefore = erp.tokenRequests().length;
    const apiBefore = erp.apiRequests().length;
    expect((await sync(id)).status).toBe('succeeded');
    expect((await sync(id)).status).toBe('succeeded');
    const requests = erp.apiRequests().slice(apiBefore);
    expect(requests.length).toBeGreaterThanOrEqual(2 * PAGES);
    expect(requests.every((r) => r.ok)).toBe(true);
    expect(new Set(requests.map((r) => r.token)).size).toBe(1);
    expect(erp.tokenRequests().length).toBe(tokensBefore);
    // Connecting, the first sync and these two all used the one token fetched when connecting.
    expect(erp.tokenRequests()).toHaveLength(1);
  });

  it('a token that is about to expire is replaced before it is sent', async () => {
    // Tokens living 2 s with a lead of 1 s (refreshLeadSeconds): due one second after issue.
    erp.setExpiresIn(2);
    erp.revokeTokens(); // the hour-long token goes; the next one lives 2 s
    const before = erp.tokenRequests().length;
    expect((await sync(id)).status).toBe('succeeded'); // a 401, then a 2-second token
    expect(erp.tokenRequests().length).toBe(before + 1);
    await sleep(1100);
    const apiBefore = erp.apiRequests().length;
    expect((await sync(id)).status).toBe('succeeded');
    expect(erp.tokenRequests().length).toBe(before + 2);
    // Fetched ahead of its expiry: no request of this sync was refused.
    expect(
      erp
        .apiRequests()
        .slice(apiBefore)
        .every((r) => r.ok),
    ).toBe(true);
    erp.setExpiresIn(3600);
  });

  it('a token the shop revoked is replaced after the 401, once, and the sync succeeds', async () => {
    expect((await sync(id)).status).toBe('succeeded'); // an hour-long token again
    erp.revokeTokens();
    const before = erp.tokenRequests().length;
    const apiBefore = erp.apiRequests().length;
    expect((await sync(id)).status).toBe('succeeded');
    expect(erp.tokenRequests().length).toBe(before + 1);
    const requests = erp.apiRequests().slice(apiBefore);
    expect(requests.filter((r) => !r.ok)).toHaveLength(1);
    expect(requests.filter((r) => r.ok)).toHaveLength(PAGES);
  });

  it('the secret is kept in the vault; the account is the client id at the token endpoint', async () => {
    const { rows } = await host.database.db.pool.query<{ settings: unknown; label: string; account: string }>(
      `select settings, label, external_account_id as account from integrations where id = $1`,
      [id],
    );
    expect(JSON.stringify(rows[0])).not.toContain(CLIENT_SECRET);
    expect(rows[0]!.account).toBe(`${CLIENT_ID}@${erp.url}`);
    // Named after the client id, as a Basic account is after its username (the secret never).
    expect(rows[0]!.label).toMatch(new RegExp(`\\(${CLIENT_ID}\\)$`));
    const settings = await user.trpc.integrations.getSettings.query({ id });
    expect(JSON.stringify(settings)).not.toContain(CLIENT_SECRET);
    expect(JSON.stringify(settings)).not.toContain('erp-token-');
    const again = user.trpc.integrations.create.mutate({
      pluginId: PLUGIN,
      settings: { shopUrl: `${erp.url}/`, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    });
    await expect(again).rejects.toThrow(`The account ${CLIENT_ID}@${erp.url} is already connected`);
  });

  it('a wrong client secret is refused when connecting, in words, and nothing is kept', async () => {
    const other = await host.createActor({ role: 'tenant_admin', tenantId: (await host.createTenant()).id });
    const wrong = other.trpc.integrations.create.mutate({
      pluginId: PLUGIN,
      settings: { shopUrl: erp.url, clientId: 'another-client', clientSecret: 'not-the-secret' },
    });
    await expect(wrong).rejects.toThrow(
      `Not connected: The token endpoint (${erp.url}) refused the client id or client secret (HTTP 401); enter the API client's credentials again.`,
    );
    expect(erp.tokenRequests().at(-1)).toMatchObject({ clientId: 'another-client', via: 'basic' });
    expect(await other.trpc.integrations.list.query()).toHaveLength(0);
  });

  it("demo mode fills the client id and secret from the sandbox's credentials named like the settings", () => {
    const plugin = host.app.services.plugins.get(PLUGIN)!;
    expect(demoSettings(plugin, erp.credentials, erp)).toEqual({
      shopUrl: erp.url,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    });
    // Or named clientId/clientSecret whatever the settings are called; without a secret, nothing.
    expect(demoSettings(plugin, { clientId: 'c' }, erp)).toBeNull();
  });

  it("a secret rotated in the shop's admin: the sync fails as refused and the integration needs new credentials", async () => {
    erp.setSecret('rotated-secret');
    erp.revokeTokens();
    const run = await sync(id);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(
      /^The token endpoint \(http:\/\/127\.0\.0\.1:\d+\) refused the client id or client secret/,
    );
    const row = await user.trpc.integrations.get.query({ id });
    expect(row).toMatchObject({ status: 'needs_reauth' });
    expect(JSON.stringify(row)).not.toContain(CLIENT_SECRET);
    erp.setSecret(CLIENT_SECRET);
  });
});
