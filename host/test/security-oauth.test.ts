import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLocalPath } from '../src/api/return-to.ts';
import { Integration } from '../src/db/entities/integration.entity.ts';
import { startFakeOAuthProvider, type FakeOAuthProvider } from './support/fake-oauth-provider.ts';
import { startTestHost, type TestActor, type TestHost } from './support/test-host.ts';

/**
 * Issue 11, OAuth and accounts, as attacks through the real server and database:
 * - the callback is bound to the browser session and user that started the authorization;
 * - one marketplace account works for one tenant of the host;
 * - `returnTo` never leaves the site.
 */
describe('security: OAuth bound to its browser, one account per host, no open redirect', () => {
  let host: TestHost;
  let provider: FakeOAuthProvider;
  let a: TestActor;
  let b: TestActor;
  let tenantA: string;
  let tenantB: string;
  const overrides = new Map<string, Record<string, string>>();

  beforeAll(async () => {
    provider = await startFakeOAuthProvider();
    host = await startTestHost({ configOverrides: overrides });
    overrides.set('fixture-rich', provider.config(`${host.url}/api/v1/fixture-rich/auth/callback`));
    tenantA = (await host.createTenant('Victim Co')).id;
    tenantB = (await host.createTenant('Attacker Co')).id;
    a = await host.createActor({ role: 'tenant_admin', tenantId: tenantA });
    b = await host.createActor({ role: 'tenant_admin', tenantId: tenantB });
  });
  afterAll(async () => {
    await host?.stop();
    await provider?.close();
    expect(provider?.unexpected ?? []).toEqual([]);
  });

  /** Opens a callback the way a browser does (with its cookie, if any); the console page it lands on. */
  async function land(callback: string, auth: { cookie?: string; token?: string } = {}) {
    const response = await fetch(callback, {
      redirect: 'manual',
      headers: {
        ...(auth.cookie ? { cookie: auth.cookie } : {}),
        ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
      },
    });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location') ?? '', 'http://console.invalid');
    return {
      path: location.pathname,
      connected: location.searchParams.get('connected'),
      error: location.searchParams.get('error') ?? '',
      location,
    };
  }

  const count = (tenantId: string) =>
    host.database.db.orm.em.fork().count(Integration, { tenantId, pluginId: 'fixture-rich' });

  it("refuses tenant B's authorization link completed by a signed-in user of tenant A", async () => {
    // B's admin asks for an authorization URL in B's console session and sends it to A's user.
    const { url } = await b.trpc.integrations.authUrl.mutate({ pluginId: 'fixture-rich' });
    // A's user, signed in to the host in their own browser, approves it at the marketplace.
    const landed = await land(provider.approve(url, 'victim-account'), { cookie: a.cookie });
    expect(landed.connected).toBeNull();
    expect(landed.path).toBe('/settings/integrations');
    expect(landed.error).toMatch(/started by another user.*nothing was connected/i);
    expect(await count(tenantB)).toBe(0);
    expect(await count(tenantA)).toBe(0);
    // The link is dead now: B cannot finish it afterwards either.
    const replay = await land(provider.approve(url, 'victim-account'), { cookie: b.cookie });
    expect(replay.error).toMatch(/already completed/i);
    expect(await count(tenantB)).toBe(0);
  });

  it('refuses the link in a browser with no session, or in another session of the same user', async () => {
    const { url } = await b.trpc.integrations.authUrl.mutate({ pluginId: 'fixture-rich' });
    const anonymous = await land(provider.approve(url, 'victim-account'));
    expect(anonymous.error).toMatch(/another browser or session/i);
    const other = await b.trpc.integrations.authUrl.mutate({ pluginId: 'fixture-rich' });
    const secondBrowser = await host.login(b.email, b.password);
    const elsewhere = await land(provider.approve(other.url, 'victim-account'), { cookie: secondBrowser });
    expect(elsewhere.error).toMatch(/another browser or session/i);
    expect(await count(tenantB)).toBe(0);
  });

  it('connects in the browser session that started it', async () => {
    const { url } = await a.trpc.integrations.authUrl.mutate({ pluginId: 'fixture-rich' });
    const landed = await land(provider.approve(url, 'shared-account'), { cookie: a.cookie });
    expect(landed.error).toBe('');
    expect(landed.connected).toBeTruthy();
    const row = await host.database.db.orm.em.fork().findOneOrFail(Integration, { id: landed.connected! });
    expect(row).toMatchObject({ tenantId: tenantA, externalAccountId: 'shared-account', status: 'active' });
  });

  it('binds a link made with an API token to the same user: their token or their session', async () => {
    const started = await a.rest<{ url: string }>('/api/v1/fixture-rich/auth/url');
    const bare = await land(provider.approve(started.body.url, 'token-account'));
    expect(bare.error).toMatch(/started with an API token/i);
    const again = await a.rest<{ url: string }>('/api/v1/fixture-rich/auth/url');
    const byOther = await land(provider.approve(again.body.url, 'token-account'), { token: b.token });
    expect(byOther.error).toMatch(/started by another user/i);
    const third = await a.rest<{ url: string }>('/api/v1/fixture-rich/auth/url');
    const byOwner = await land(provider.approve(third.body.url, 'token-account'), { token: a.token });
    expect(byOwner.connected).toBeTruthy();
    const fourth = await a.rest<{ url: string }>('/api/v1/fixture-rich/auth/url');
    const inConsole = await land(provider.approve(fourth.body.url, 'token-account'), { cookie: a.cookie });
    expect(inConsole.connected).toBe(byOwner.connected);
  });

  it('refuses an account already working for another tenant (409 with words), renews it in its own', async () => {
    // B's admin connects, in B's own session, the marketplace account A already uses.
    const { url } = await b.trpc.integrations.authUrl.mutate({ pluginId: 'fixture-rich' });
    const landed = await land(provider.approve(url, 'shared-account'), { cookie: b.cookie });
    expect(landed.connected).toBeNull();
    expect(landed.error).toMatch(/already connected in another organisation.*one organisation only/i);
    expect(await count(tenantB)).toBe(0);

    // Reconnecting it in A renews the same integration.
    const [existing] = await a.trpc.integrations.list.query({ pluginId: 'fixture-rich' });
    const mine = (await a.trpc.integrations.list.query({ pluginId: 'fixture-rich' })).find(
      (i) => i.externalAccountId === 'shared-account',
    )!;
    expect(existing).toBeTruthy();
    const renew = await a.trpc.integrations.authUrl.mutate({
      pluginId: 'fixture-rich',
      integrationId: mine.id,
    });
    const renewed = await land(provider.approve(renew.url, 'shared-account'), { cookie: a.cookie });
    expect(renewed.connected).toBe(mine.id);

    // Once A disables it, B may take the account over; A can no longer switch it back on.
    await a.trpc.integrations.deactivate.mutate({ id: mine.id });
    const takeOver = await b.trpc.integrations.authUrl.mutate({ pluginId: 'fixture-rich' });
    const taken = await land(provider.approve(takeOver.url, 'shared-account'), { cookie: b.cookie });
    expect(taken.connected).toBeTruthy();
    const enable = await a.rest<{ error: { message: string } }>('/trpc/integrations.enable', {
      method: 'POST',
      body: { id: mine.id },
    });
    expect(enable.status).toBe(409);
    expect(enable.text).toMatch(/already connected in another organisation/i);
  });

  it('refuses a credentials account used by another tenant, 409 with words; reconnecting in the same tenant works', async () => {
    const settings = { username: 'shared-login', password: 'pw-one' };
    const created = await a.rest<{ id: string }>('/api/v1/fixture-basic/integrations', {
      method: 'POST',
      body: { settings },
    });
    expect(created.status).toBe(201);
    const intruder = await b.rest<{ error: { code: string; message: string } }>(
      '/api/v1/fixture-basic/integrations',
      { method: 'POST', body: { settings: { ...settings, password: 'pw-two' } } },
    );
    expect(intruder.status).toBe(409);
    expect(intruder.body.error.message).toMatch(/already connected in another organisation/i);
    // The owner edits its credentials (same account) freely.
    const edit = await a.rest(`/api/v1/fixture-basic/settings/${created.body.id}`, {
      method: 'PUT',
      body: { settings: { ...settings, password: 'pw-three' } },
    });
    expect(edit.status).toBe(200);
    // B cannot move one of its own integrations onto that account either.
    const own = await b.rest<{ id: string }>('/api/v1/fixture-basic/integrations', {
      method: 'POST',
      body: { settings: { username: 'b-login', password: 'pw' } },
    });
    const moved = await b.rest(`/api/v1/fixture-basic/settings/${own.body.id}`, {
      method: 'PUT',
      body: { settings: { username: 'shared-login', password: 'pw' } },
    });
    expect(moved.status).toBe(409);
  });

  it('never redirects off the site, whatever returnTo holds', async () => {
    const attacks = [
      '/\t/evil.example/',
      '/\n/evil.example/',
      '/\r\n/evil.example',
      '/\\evil.example',
      '/\\/evil.example',
      '//evil.example',
      '///evil.example',
      '/ /evil.example',
      'https://evil.example',
      'javascript:alert(1)',
      '\t//evil.example',
      '/%09/evil.example\\',
    ];
    for (const returnTo of attacks) {
      expect(isLocalPath(returnTo), JSON.stringify(returnTo)).toBe(false);
      const refused = await a.rest(`/api/v1/fixture-rich/auth/url?returnTo=${encodeURIComponent(returnTo)}`);
      expect(refused.status, JSON.stringify(returnTo)).toBe(400);
    }
    for (const fine of ['/settings/integrations', '/settings/integrations/x?connected=1#top', '/%2F%2Fevil'])
      expect(isLocalPath(fine), fine).toBe(true);

    // Even a bad value that reached the database (an older host wrote it) is not followed.
    const { url } = await a.trpc.integrations.authUrl.mutate({
      pluginId: 'fixture-rich',
      returnTo: '/settings/integrations',
    });
    await host.database.db.pool.query(`update oauth_states set return_to = $1 where return_to is not null`, [
      '/\t/evil.example/',
    ]);
    const landed = await land(provider.approve(url, 'redirect-account'), { cookie: a.cookie });
    expect(landed.location.host).toBe('console.invalid');
    expect(landed.path).toBe('/settings/integrations');
    expect(landed.connected).toBeTruthy();
  });
});
