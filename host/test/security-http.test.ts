import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Integration } from '../src/db/entities/integration.entity.ts';
import { contentSecurityPolicy, inlineScriptHashes } from '../src/server/security-headers.ts';
import { startTestHost, type TestActor, type TestHost } from './support/test-host.ts';

type Refusal = { error: { code: string; message: string } };

/**
 * Issue 11, the browser-facing holes, as attacks through the real server: cross-site requests
 * riding the session cookie (CSRF, from another site or a sibling subdomain), non-JSON bodies,
 * framing and sniffing, and malformed input that used to answer 500.
 */
describe('security: CSRF, headers, malformed input', () => {
  let host: TestHost;
  let user: TestActor;
  let integrationId: string;

  beforeAll(async () => {
    host = await startTestHost();
    const tenantId = (await host.createTenant('Csrf Co')).id;
    user = await host.createActor({ role: 'tenant_admin', tenantId });
    integrationId = (
      await user.trpc.integrations.create.mutate({
        pluginId: 'fixture-basic',
        settings: { username: 'csrf-login', password: 'csrf-password' },
      })
    ).id;
  });
  afterAll(() => host?.stop());

  /** A raw request as a browser would send it: the victim's cookie plus whatever headers. */
  async function send(
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string; cookie?: boolean } = {},
  ) {
    const response = await fetch(`${host.url}${path}`, {
      method: init.method ?? 'POST',
      headers: { ...(init.cookie === false ? {} : { cookie: user.cookie }), ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    const text = await response.text();
    return { status: response.status, text, headers: response.headers };
  }
  const json = { 'content-type': 'application/json' };
  const status = async () =>
    (await host.database.db.orm.em.fork().findOneOrFail(Integration, { id: integrationId })).status;

  it('refuses cookie-authenticated changes from another site or a sibling subdomain (403)', async () => {
    const body = JSON.stringify({ id: integrationId });
    const attackers: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      // A sibling subdomain is the same *site*: SameSite=Lax lets the cookie through.
      { 'sec-fetch-site': 'same-site', origin: 'http://evil.127.0.0.1.nip.io' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
    ];
    for (const headers of attackers) {
      for (const path of ['/trpc/integrations.sync', '/trpc/integrations.deactivate']) {
        const res = await send(path, { headers: { ...json, ...headers }, body });
        expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(res.text).toMatch(/another site|without an origin/);
      }
      for (const path of [
        `/api/v1/fixture-basic/sync/${integrationId}`,
        `/api/v1/fixture-basic/deactivate/${integrationId}`,
      ]) {
        const res = await send(path, { headers: { ...json, ...headers }, body: '{}' });
        expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(403);
      }
    }
    // Signing a victim in to the attacker's account (login CSRF) is refused the same way.
    const login = await send('/trpc/auth.login', {
      cookie: false,
      headers: { ...json, origin: 'https://evil.example' },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    expect(login.status).toBe(403);
    expect(await status()).toBe('active');
    expect(
      await host.database.db.pool.query(`select 1 from sync_runs where integration_id = $1`, [integrationId]),
    ).toMatchObject({ rows: [] });
  });

  it('refuses form encodings and text/plain: tRPC always, REST with a cookie (415)', async () => {
    const form = new FormData();
    form.set('id', integrationId);
    const multipart = await fetch(`${host.url}/trpc/integrations.deactivate`, {
      method: 'POST',
      headers: { cookie: user.cookie },
      body: form,
    });
    expect(multipart.status).toBe(415);
    const tokenMultipart = await fetch(`${host.url}/trpc/integrations.deactivate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}` },
      body: form,
    });
    expect(tokenMultipart.status).toBe(415);
    const plain = await send('/trpc/integrations.deactivate', {
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ id: integrationId }),
    });
    expect(plain.status).toBe(415);
    expect((JSON.parse(plain.text) as Refusal).error.message).toMatch(/JSON only/);
    const kinds: Record<string, string>[] = [
      { 'content-type': 'text/plain' },
      {},
      { 'content-type': 'application/x-www-form-urlencoded' },
    ];
    for (const headers of kinds) {
      const res = await send(`/api/v1/fixture-basic/deactivate/${integrationId}`, {
        headers,
        ...(headers['content-type'] ? { body: 'x=1' } : {}),
      });
      expect(res.status, JSON.stringify(headers)).toBe(415);
      expect(res.text).toMatch(/JSON body.*API token/);
    }
    expect(await status()).toBe('active');
  });

  it('keeps same-origin console calls and API-token calls working', async () => {
    // The console: same origin, JSON (what a browser sends from the host's own pages).
    const own = await send(
      '/trpc/integrations.status?input=' + encodeURIComponent(JSON.stringify({ id: integrationId })),
      {
        method: 'GET',
        headers: { 'sec-fetch-site': 'same-origin' },
      },
    );
    expect(own.status).toBe(200);
    const sameOrigin = await send('/trpc/integrations.sync', {
      headers: { ...json, origin: host.url, 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ id: integrationId }),
    });
    expect(sameOrigin.status).toBe(200);
    const originOnly = await send('/trpc/integrations.updateSettings', {
      headers: { ...json, origin: host.url },
      body: JSON.stringify({ id: integrationId, settings: { syncFrequencyMinutes: 30 } }),
    });
    expect(originOnly.status).toBe(200);
    // An API token is no ambient credential: no body, no Origin check, still works.
    const token = await fetch(`${host.url}/api/v1/fixture-basic/sync/${integrationId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, origin: 'https://script.example' },
    });
    expect(token.status).toBe(202);
    const deactivated = await fetch(`${host.url}/api/v1/fixture-basic/deactivate/${integrationId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(deactivated.status).toBe(200);
    expect(await status()).toBe('disabled');
    await user.trpc.integrations.enable.mutate({ id: integrationId });
  });

  it('sends helmet-style headers on every response: CSP, nosniff, no referrer, no framing', async () => {
    for (const path of [
      '/healthz',
      '/api/v1/invoices',
      '/trpc/auth.me',
      '/no-such-page',
      `/public/invoices/x/y.pdf`,
    ]) {
      const res = await send(path, { method: 'GET', cookie: false });
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      // No eval either: the console's forms validate without compiling schemas to functions.
      expect(csp).not.toMatch(/unsafe-eval/);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
    }
  });

  it("allows the console's inline start script by its hash, nothing else inline", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mch-csp-'));
    try {
      const script = '\n  console.log("start")\n';
      await writeFile(
        join(dir, 'index.html'),
        `<html><head><script type="module" src="/_app/x.js"></script></head><body><script>${script}</script></body></html>`,
      );
      const hashes = inlineScriptHashes(dir);
      const { createHash } = await import('node:crypto');
      expect(hashes).toEqual([`'sha256-${createHash('sha256').update(script).digest('base64')}'`]);
      expect(contentSecurityPolicy(hashes)).toMatch(new RegExp(`script-src 'self'[^;]* ${hashes[0]}`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers malformed input with 400, never 500: NUL bytes anywhere, JSON nested 100 000 deep', async () => {
    const nul = 'a\u0000b';
    const cases: {
      what: string;
      path: string;
      method?: string;
      body?: string;
      cookie?: boolean;
      token?: boolean;
    }[] = [
      {
        what: 'login email (no session)',
        path: '/trpc/auth.login',
        cookie: false,
        body: JSON.stringify({ email: nul, password: 'x' }),
      },
      {
        what: 'login password',
        path: '/trpc/auth.login',
        cookie: false,
        body: JSON.stringify({ email: 'x@y.z', password: nul }),
      },
      {
        what: 'integration label',
        path: '/trpc/integrations.create',
        body: JSON.stringify({
          pluginId: 'fixture-basic',
          label: nul,
          settings: { username: 'n', password: 'p' },
        }),
      },
      {
        what: 'settings value',
        path: '/trpc/integrations.updateSettings',
        body: JSON.stringify({ id: integrationId, settings: { username: nul } }),
      },
      {
        what: 'an object key',
        path: '/trpc/integrations.updateSettings',
        body: JSON.stringify({ id: integrationId, settings: { [nul]: 1 } }),
      },
      {
        what: 'tRPC query input',
        path: `/trpc/invoices.list?input=${encodeURIComponent(JSON.stringify({ q: nul }))}`,
        method: 'GET',
      },
      { what: 'REST query', path: `/api/v1/invoices?q=a%00b`, method: 'GET', token: true },
      { what: 'REST path', path: `/api/v1/fixture-basic/status/a%00b`, method: 'GET', token: true },
      {
        what: 'REST body',
        path: `/api/v1/fixture-basic/settings/${integrationId}`,
        method: 'PUT',
        token: true,
        body: JSON.stringify({ settings: { username: nul } }),
      },
      {
        what: 'deep tRPC body',
        path: '/trpc/integrations.create',
        body: '['.repeat(100_000) + ']'.repeat(100_000),
      },
      {
        what: 'deep tRPC input',
        path: `/trpc/invoices.list?input=${'%5B'.repeat(2_000)}`,
        method: 'GET',
      },
      {
        what: 'deep REST body',
        path: '/api/v1/fixture-basic/integrations',
        token: true,
        body: '{"settings":' + '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_001),
      },
      {
        what: 'deep login body (no session)',
        path: '/trpc/auth.login',
        cookie: false,
        body: '['.repeat(100_000),
      },
    ];
    for (const c of cases) {
      const res = await send(c.path, {
        method: c.method ?? 'POST',
        cookie: c.cookie !== false && !c.token,
        headers: {
          ...(c.body !== undefined ? json : {}),
          ...(c.token ? { authorization: `Bearer ${user.token}` } : {}),
        },
        ...(c.body !== undefined ? { body: c.body } : {}),
      });
      expect(res.status, `${c.what}: ${res.text.slice(0, 200)}`).toBe(400);
      expect(res.text, c.what).toMatch(/NUL character|nested more than|invalid/i);
    }
    expect(host.logs()).not.toMatch(/"level":50.*(NUL|invalid byte sequence)/);
  });
});
