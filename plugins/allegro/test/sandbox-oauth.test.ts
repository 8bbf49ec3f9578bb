import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import { apiHeaders, basicAuth, obtainTokens, pkcePair, submitConsent } from '../sandbox/testing/consent.ts';

const running: RunningSandbox[] = [];
async function sandbox(extra: Record<string, unknown> = {}): Promise<RunningSandbox> {
  const sb = await startSandbox({ orders: 20, seed: 'oauth', extra });
  running.push(sb);
  return sb;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((sb) => sb.close()));
});

async function token(sb: RunningSandbox, params: Record<string, string>, auth: 'basic' | 'none' = 'basic') {
  const res = await fetch(`${sb.url}/auth/oauth/token`, {
    method: 'POST',
    headers: auth === 'basic' ? { authorization: basicAuth(sb.credentials) } : {},
    body: new URLSearchParams(params),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Allegro sandbox OAuth', () => {
  it('returns the credentials contract with the given redirect URI', async () => {
    const sb = await startSandbox({ redirectUri: 'http://127.0.0.1:9/cb', orders: 1 });
    running.push(sb);
    expect(Object.keys(sb.credentials).sort()).toEqual(['clientId', 'clientSecret', 'redirectUri']);
    expect(sb.credentials.redirectUri).toBe('http://127.0.0.1:9/cb');
    expect(sb.controlUrl).toBe(`${sb.url}/__sandbox`);
  });

  it('shows a consent page with labelled Approve/Deny buttons and an account choice', async () => {
    const sb = await sandbox();
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: sb.credentials.clientId ?? '',
      redirect_uri: sb.credentials.redirectUri ?? '',
      state: 'xyz',
    });
    const res = await fetch(`${sb.url}/auth/oauth/authorize?${q.toString()}`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toMatch(/<button[^>]*id="approve"[^>]*>Approve<\/button>/);
    expect(html).toMatch(/<button[^>]*id="deny"[^>]*>Deny<\/button>/);
    expect(html).toContain('<label for="account">');
    expect(html.match(/<option /g)).toHaveLength(3);
    expect(html).toContain('name="state" value="xyz"');
  });

  it('refuses unknown clients and inexact redirect URIs without redirecting', async () => {
    const sb = await sandbox();
    for (const [clientId, redirect] of [
      ['nope', sb.credentials.redirectUri],
      [sb.credentials.clientId, `${sb.credentials.redirectUri}/`],
      [sb.credentials.clientId, 'http://evil.example/cb'],
    ]) {
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: clientId ?? '',
        redirect_uri: redirect ?? '',
      });
      const res = await fetch(`${sb.url}/auth/oauth/authorize?${q.toString()}`, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
  });

  it('redirects a denial with access_denied and the state', async () => {
    const sb = await sandbox();
    const params = await submitConsent({ sandbox: sb, decision: 'deny', state: 'keep-me' });
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('state')).toBe('keep-me');
    expect(params.get('code')).toBeNull();
  });

  it('issues the token response Allegro documents, with a JWT access token', async () => {
    const sb = await sandbox();
    const params = await submitConsent({ sandbox: sb, state: 's1' });
    expect(params.get('state')).toBe('s1');
    const { status, body } = await token(sb, {
      grant_type: 'authorization_code',
      code: params.get('code') ?? '',
      redirect_uri: sb.credentials.redirectUri ?? '',
    });
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(
      ['access_token', 'allegro_api', 'expires_in', 'jti', 'refresh_token', 'scope', 'token_type'].sort(),
    );
    expect(body.expires_in).toBe(43199);
    expect(body.token_type).toBe('bearer');
    const claims = decodeJwt(String(body.access_token));
    expect(claims.jti).toBe(body.jti);
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000 + 43000);
  });

  it('makes codes single-use and binds them to the redirect URI', async () => {
    const sb = await sandbox();
    const code = (await submitConsent({ sandbox: sb })).get('code') ?? '';
    const redirect = sb.credentials.redirectUri ?? '';
    expect((await token(sb, { grant_type: 'authorization_code', code, redirect_uri: redirect })).status).toBe(
      200,
    );
    const again = await token(sb, { grant_type: 'authorization_code', code, redirect_uri: redirect });
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const other = (await submitConsent({ sandbox: sb })).get('code') ?? '';
    const wrong = await token(sb, {
      grant_type: 'authorization_code',
      code: other,
      redirect_uri: `${redirect}?x=1`,
    });
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('expires codes after the configured TTL', async () => {
    const sb = await sandbox({ codeTtlMs: 150 });
    const code = (await submitConsent({ sandbox: sb })).get('code') ?? '';
    await sleep(250);
    const res = await token(sb, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: sb.credentials.redirectUri ?? '',
    });
    expect(res).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Authorization code expired' },
    });
  });

  it('checks PKCE S256 and lets a PKCE client go without its secret', async () => {
    const sb = await sandbox();
    const pair = pkcePair();
    const base = {
      grant_type: 'authorization_code',
      redirect_uri: sb.credentials.redirectUri ?? '',
      client_id: sb.credentials.clientId ?? '',
    };
    const code1 = (await submitConsent({ sandbox: sb, challenge: pair.challenge })).get('code') ?? '';
    expect(await token(sb, { ...base, code: code1, code_verifier: 'x'.repeat(43) }, 'none')).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    const code2 = (await submitConsent({ sandbox: sb, challenge: pair.challenge })).get('code') ?? '';
    expect(await token(sb, { ...base, code: code2 }, 'none')).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    const code3 = (await submitConsent({ sandbox: sb, challenge: pair.challenge })).get('code') ?? '';
    expect((await token(sb, { ...base, code: code3, code_verifier: pair.verifier }, 'none')).status).toBe(
      200,
    );
    // Without PKCE the client must authenticate with its secret.
    const code4 = (await submitConsent({ sandbox: sb })).get('code') ?? '';
    expect(await token(sb, { ...base, code: code4 }, 'none')).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    // A plain challenge method is refused through the redirect.
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: sb.credentials.clientId ?? '',
      redirect_uri: sb.credentials.redirectUri ?? '',
      code_challenge: 'abc',
      code_challenge_method: 'plain',
    });
    const res = await fetch(`${sb.url}/auth/oauth/authorize?${q.toString()}`, { redirect: 'manual' });
    expect(new URL(res.headers.get('location') ?? 'http://x').searchParams.get('error')).toBe(
      'invalid_request',
    );
  });

  it('rejects bad client credentials with 401', async () => {
    const sb = await sandbox();
    const res = await fetch(`${sb.url}/auth/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: basicAuth({ clientId: sb.credentials.clientId ?? '', clientSecret: 'wrong' }),
      },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'unauthorized' });
  });

  it('rotates refresh tokens: new pair each time, old one valid for the grace period only', async () => {
    const sb = await sandbox({ refreshGraceMs: 300 });
    const first = await obtainTokens({ sandbox: sb });
    const r1 = await token(sb, { grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' });
    expect(r1.status).toBe(200);
    expect(r1.body.refresh_token).not.toBe(first.refresh_token);
    expect(r1.body.access_token).not.toBe(first.access_token);
    // Within the grace period the old token still works (a retry after a lost response).
    const r2 = await token(sb, { grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' });
    expect(r2.status).toBe(200);
    await sleep(400);
    const r3 = await token(sb, { grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' });
    expect(r3).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // The newest one works, and its access token reaches the API.
    const r4 = await token(sb, { grant_type: 'refresh_token', refresh_token: String(r1.body.refresh_token) });
    expect(r4.status).toBe(200);
    expect((await fetch(`${sb.url}/me`, { headers: apiHeaders(String(r4.body.access_token)) })).status).toBe(
      200,
    );
  });

  it('invalidates the previous access token when its refresh token is used (#2927, #10619)', async () => {
    const sb = await sandbox();
    const first = await obtainTokens({ sandbox: sb });
    expect((await fetch(`${sb.url}/me`, { headers: apiHeaders(first.access_token) })).status).toBe(200);
    const next = await token(sb, { grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' });
    expect(next.status).toBe(200);
    const old = await fetch(`${sb.url}/me`, { headers: apiHeaders(first.access_token) });
    expect(old.status).toBe(401);
    expect(await old.json()).toMatchObject({
      error: 'invalid_token',
      error_description: expect.stringMatching(/^Access token expired: /),
    });
    expect(
      (await fetch(`${sb.url}/me`, { headers: apiHeaders(String(next.body.access_token)) })).status,
    ).toBe(200);
  });

  it('issues application tokens for client_credentials, without a refresh token or a seller', async () => {
    const sb = await sandbox();
    const res = await token(sb, { grant_type: 'client_credentials' });
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).toBeUndefined();
    const me = await fetch(`${sb.url}/me`, { headers: apiHeaders(String(res.body.access_token)) });
    expect(me.status).toBe(403);
    expect(await me.json()).toMatchObject({ errors: [{ code: 'AccessDenied' }] });
  });

  it('logs in the seller chosen on the consent page', async () => {
    const sb = await sandbox();
    const logins: string[] = [];
    for (const account of [0, 2]) {
      const tokens = await obtainTokens({ sandbox: sb, account, pkce: account === 2 });
      const me = (await (
        await fetch(`${sb.url}/me`, { headers: apiHeaders(tokens.access_token) })
      ).json()) as Record<string, string>;
      expect(me.id).toMatch(/^\d+$/);
      logins.push(me.login ?? '');
    }
    expect(logins).toEqual(['sklep-alfa', 'sklep-gamma']);
  });

  it('answers 401 in the OAuth shape without, with a bad, or with a revoked token', async () => {
    const sb = await sandbox();
    const none = await fetch(`${sb.url}/order/checkout-forms`, {
      headers: { accept: 'application/vnd.allegro.public.v1+json' },
    });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: 'unauthorized', error_description: expect.any(String) });
    expect((await fetch(`${sb.url}/me`, { headers: apiHeaders('not-a-jwt') })).status).toBe(401);

    const alfa = await obtainTokens({ sandbox: sb, account: 0 });
    const beta = await obtainTokens({ sandbox: sb, account: 1 });
    const revoke = await fetch(`${sb.controlUrl}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account: 'sklep-alfa' }),
    });
    expect(await revoke.json()).toEqual({ revoked: 2 });
    const me = await fetch(`${sb.url}/me`, { headers: apiHeaders(alfa.access_token) });
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ error: 'invalid_token' });
    expect(
      await token(sb, { grant_type: 'refresh_token', refresh_token: alfa.refresh_token ?? '' }),
    ).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    expect((await fetch(`${sb.url}/me`, { headers: apiHeaders(beta.access_token) })).status).toBe(200);
  });

  it('expires access tokens after accessTtlSec', async () => {
    const sb = await sandbox({ accessTtlSec: 1 });
    const tokens = await obtainTokens({ sandbox: sb });
    expect(tokens.expires_in).toBe(1);
    await sleep(2100);
    const res = await fetch(`${sb.url}/me`, { headers: apiHeaders(tokens.access_token) });
    expect(res.status).toBe(401);
    // reference/README.md, Correction: #13741.
    expect(await res.json()).toMatchObject({
      error: 'invalid_token',
      error_description: expect.stringMatching(/^Access token expired: /),
    });
  });

  it('answers 406 without the versioned Accept header', async () => {
    const sb = await sandbox();
    const tokens = await obtainTokens({ sandbox: sb });
    for (const accept of ['application/json', '*/*', '']) {
      const res = await fetch(`${sb.url}/order/checkout-forms`, {
        headers: { authorization: `Bearer ${tokens.access_token}`, accept },
      });
      expect(res.status).toBe(406);
      expect(res.headers.get('content-type')).toBe('application/vnd.allegro.public.v1+json');
      expect(await res.json()).toMatchObject({
        errors: [{ code: 'NotAcceptableException', message: expect.any(String) }],
      });
    }
  });
});
