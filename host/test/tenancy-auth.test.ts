import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthError,
  authenticateApiToken,
  authenticateSession,
  logout,
  readBearerToken,
  readSessionCookie,
  revokeApiToken,
  sessionCookie,
  setPassword,
  SESSION_TTL_MS,
} from '../src/auth/index.ts';
import { login } from '../src/auth/login.ts';
import { AuditLog, Company, InvoiceSeries, Session, Tenant, User } from '../src/db/entities/index.ts';
import { createApiToken, createTenant, createUser, slugify, TenancyError } from '../src/tenancy/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/database.ts';

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: Error) => e,
  );
}

describe('tenancy services and authentication', () => {
  let t: TestDatabase;
  const em = () => t.db.orm.em.fork();
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.close());

  it('slugifies names, including Polish letters', () => {
    expect(slugify('Sklep Łódź & Co.')).toBe('sklep-lodz-co');
    expect(slugify('  --Żółć 24 ')).toBe('zolc-24');
  });

  it('creates a tenant with its default company and invoice series, and refuses a duplicate slug', async () => {
    const tenant = await createTenant({ em: em(), name: 'Sklep Łódź' });
    expect(tenant.slug).toBe('sklep-lodz');
    const check = em();
    expect((await check.findOneOrFail(Tenant, { id: tenant.id })).name).toBe('Sklep Łódź');
    const company = await check.findOneOrFail(Company, { tenantId: tenant.id });
    expect([company.name, company.isDefault]).toEqual(['Sklep Łódź', true]);
    const series = await check.findOneOrFail(InvoiceSeries, { companyId: company.id });
    expect([series.code, series.isDefault, series.tenantId]).toEqual(['FV', true, tenant.id]);
    expect(await check.count(AuditLog, { action: 'tenant.create', targetId: tenant.id })).toBe(1);

    const duplicate = await rejection(createTenant({ em: em(), name: 'Other', slug: 'sklep-lodz' }));
    expect(duplicate).toBeInstanceOf(TenancyError);
    expect(duplicate.code).toBe('TENANT_SLUG_TAKEN');
    expect((await rejection(createTenant({ em: em(), name: 'x', slug: 'Bad Slug' }))).code).toBe(
      'TENANT_SLUG_INVALID',
    );
    expect(await em().count(Tenant, {})).toBe(1);
  });

  it('creates users with the tenant rules, generated passwords and no duplicate emails', async () => {
    await createTenant({ em: em(), name: 'Acme' });
    const admin = await createUser({
      em: em(),
      email: 'Root@Example.com',
      role: 'platform_admin',
      password: 'root-password-1',
    });
    expect([admin.email, admin.tenantId, admin.generatedPassword]).toEqual([
      'root@example.com',
      null,
      undefined,
    ]);
    const staff = await createUser({ em: em(), tenant: 'acme', email: 'staff@acme.io', role: 'tenant_user' });
    expect(staff.generatedPassword).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const stored = await em().findOneOrFail(User, { id: staff.id });
    expect(stored.passwordHash).toMatch(/^scrypt\$/);
    expect(stored.passwordHash).not.toContain(staff.generatedPassword);
    const audit = await em().findOneOrFail(AuditLog, { action: 'user.create', targetId: staff.id });
    expect(JSON.stringify(audit)).not.toContain(staff.generatedPassword);

    const codes = await Promise.all([
      rejection(createUser({ em: em(), tenant: 'acme', email: 'STAFF@acme.io', role: 'tenant_admin' })),
      rejection(createUser({ em: em(), email: 'x@acme.io', role: 'tenant_admin' })),
      rejection(createUser({ em: em(), tenant: 'acme', email: 'y@acme.io', role: 'platform_admin' })),
      rejection(createUser({ em: em(), tenant: 'nope', email: 'z@acme.io', role: 'tenant_user' })),
      rejection(createUser({ em: em(), tenant: 'acme', email: 'not-an-email', role: 'tenant_user' })),
      rejection(createUser({ em: em(), tenant: 'acme', email: 'w@acme.io', role: 'owner' })),
      rejection(
        createUser({ em: em(), tenant: 'acme', email: 'v@acme.io', role: 'tenant_user', password: 'short' }),
      ),
    ]);
    expect(codes.map((e) => e.code)).toEqual([
      'USER_EMAIL_TAKEN',
      'USER_TENANT_MISMATCH',
      'USER_TENANT_MISMATCH',
      'TENANT_NOT_FOUND',
      'USER_EMAIL_INVALID',
      'USER_ROLE_INVALID',
      'AUTH_WEAK_PASSWORD',
    ]);
  });

  it('logs in with a session cookie, refuses wrong passwords and unknown emails alike, and logs out', async () => {
    const tenant = await createTenant({ em: em(), name: 'Login Co' });
    await createUser({
      em: em(),
      tenant: tenant.id,
      email: 'owner@login.co',
      role: 'tenant_admin',
      password: 'owner-password',
    });
    const wrong = await rejection(login({ em: em(), email: 'owner@login.co', password: 'nope-nope-nope' }));
    const unknown = await rejection(login({ em: em(), email: 'ghost@login.co', password: 'owner-password' }));
    expect(wrong).toBeInstanceOf(AuthError);
    expect([wrong.code, wrong.message]).toEqual([unknown.code, unknown.message]);

    const session = await login({ em: em(), email: ' OWNER@login.co ', password: 'owner-password' });
    expect(session.principal).toMatchObject({
      tenantId: tenant.id,
      role: 'tenant_admin',
      email: 'owner@login.co',
    });
    expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await t.db.pool.query('select * from sessions');
    expect(JSON.stringify(rows.rows)).not.toContain(session.token);

    const cookie = sessionCookie({ token: session.token, expiresAt: session.expiresAt, secure: true });
    expect(cookie).toMatch(
      /^mch_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=60479\d; Expires=.*; Secure$/,
    );
    expect(sessionCookie({ token: 'x', expiresAt: session.expiresAt, secure: false })).not.toContain(
      'Secure',
    );
    const token = readSessionCookie(`other=1; mch_session=${session.token}; z=2`);
    expect((await authenticateSession({ em: em(), token }))?.principal.userId).toBe(session.principal.userId);

    // Sliding expiry: two days later the session is extended to a full week from then.
    const later = new Date(Date.now() + 2 * 24 * 3600 * 1000);
    const slid = await authenticateSession({ em: em(), token, now: later });
    expect(slid?.renewed).toBe(true);
    expect(slid?.expiresAt.getTime()).toBe(later.getTime() + SESSION_TTL_MS);
    expect(
      await authenticateSession({ em: em(), token, now: new Date(later.getTime() + SESSION_TTL_MS + 1) }),
    ).toBeNull();
    expect(await em().count(Session, {})).toBe(0);

    const again = await login({ em: em(), email: 'owner@login.co', password: 'owner-password' });
    await logout({ em: em(), token: again.token });
    expect(await authenticateSession({ em: em(), token: again.token })).toBeNull();
  });

  it('refuses disabled users (login and existing credentials) and disabled tenants', async () => {
    const tenant = await createTenant({ em: em(), name: 'Gone' });
    const user = await createUser({
      em: em(),
      tenant: 'gone',
      email: 'u@gone.io',
      role: 'tenant_user',
      password: 'gone-password',
    });
    const { token: apiToken } = await createApiToken({ em: em(), email: 'u@gone.io' });
    const { token } = await login({ em: em(), email: 'u@gone.io', password: 'gone-password' });
    await em().nativeUpdate(Tenant, { id: tenant.id }, { disabledAt: new Date() });
    expect(await authenticateSession({ em: em(), token })).toBeNull();
    expect(await authenticateApiToken({ em: em(), token: apiToken })).toBeNull();
    await em().nativeUpdate(Tenant, { id: tenant.id }, { disabledAt: null });
    await em().nativeUpdate(User, { id: user.id }, { disabledAt: new Date() });
    const refused = await rejection(login({ em: em(), email: 'u@gone.io', password: 'gone-password' }));
    expect(refused.code).toBe('AUTH_ACCOUNT_DISABLED');
    expect(await authenticateApiToken({ em: em(), token: apiToken })).toBeNull();
  });

  it('issues API tokens stored only as hashes, tracking lastUsedAt at most once a minute', async () => {
    await createTenant({ em: em(), name: 'Tokens' });
    const user = await createUser({
      em: em(),
      tenant: 'tokens',
      email: 'api@tokens.io',
      role: 'tenant_admin',
    });
    const { id, token } = await createApiToken({ em: em(), email: 'API@tokens.io', name: 'ci' });
    expect(token).toMatch(/^mch_[A-Za-z0-9_-]{43}$/);
    const { rows } = await t.db.pool.query('select * from api_tokens');
    expect(JSON.stringify(rows)).not.toContain(token.slice(4));
    expect(readBearerToken(`Bearer ${token}`)).toBe(token);

    const t0 = new Date('2030-01-01T00:00:00Z');
    const principal = await authenticateApiToken({ em: em(), token, now: t0 });
    expect(principal).toEqual({
      userId: user.id,
      tenantId: user.tenantId,
      role: 'tenant_admin',
      email: 'api@tokens.io',
    });
    const lastUsed = async () =>
      (
        await t.db.pool.query<{ last_used_at: Date }>('select last_used_at from api_tokens where id = $1', [
          id,
        ])
      ).rows[0]!.last_used_at;
    expect(new Date(await lastUsed()).toISOString()).toBe(t0.toISOString());
    await authenticateApiToken({ em: em(), token, now: new Date(t0.getTime() + 30_000) });
    expect(new Date(await lastUsed()).toISOString()).toBe(t0.toISOString());
    await authenticateApiToken({ em: em(), token, now: new Date(t0.getTime() + 61_000) });
    expect(new Date(await lastUsed()).getTime()).toBe(t0.getTime() + 61_000);

    expect(await authenticateApiToken({ em: em(), token: `${token}x` })).toBeNull();
    expect(await authenticateApiToken({ em: em(), token: token.slice(4) })).toBeNull();
    expect((await rejection(createApiToken({ em: em(), email: 'ghost@tokens.io' }))).code).toBe(
      'USER_NOT_FOUND',
    );
    await revokeApiToken({ em: em(), id });
    expect(await authenticateApiToken({ em: em(), token })).toBeNull();
  });

  it('never locks an account itself: the right password works after any number of failures', async () => {
    // Throttling lives in front of login() (api/login-limiter.ts, tested in security-login.test.ts):
    // failures from elsewhere must not keep the owner out.
    await createTenant({ em: em(), name: 'Throttle' });
    await createUser({
      em: em(),
      tenant: 'throttle',
      email: 'victim@throttle.io',
      role: 'tenant_user',
      password: 'victim-password',
    });
    for (let i = 0; i < 12; i++) {
      expect(
        (await rejection(login({ em: em(), email: 'victim@throttle.io', password: `wrong-${i}-guess` })))
          .code,
      ).toBe('AUTH_INVALID_CREDENTIALS');
    }
    expect(
      (await login({ em: em(), email: 'VICTIM@throttle.io', password: 'victim-password' })).principal.email,
    ).toBe('victim@throttle.io');
    expect(await em().count(AuditLog, { action: 'auth.login_failed', targetId: 'victim@throttle.io' })).toBe(
      12,
    );
  });

  it('changes a password, checking the current one and ending every session', async () => {
    await createTenant({ em: em(), name: 'Change' });
    const user = await createUser({
      em: em(),
      tenant: 'change',
      email: 'me@change.io',
      role: 'tenant_user',
      password: 'first-password',
    });
    const { token } = await login({ em: em(), email: 'me@change.io', password: 'first-password' });
    expect(
      (
        await rejection(
          setPassword({
            em: em(),
            userId: user.id,
            currentPassword: 'not-it-at-all',
            password: 'second-password',
          }),
        )
      ).code,
    ).toBe('AUTH_WRONG_CURRENT_PASSWORD');
    expect(
      (
        await rejection(
          setPassword({ em: em(), userId: user.id, currentPassword: 'first-password', password: 'short' }),
        )
      ).code,
    ).toBe('AUTH_WEAK_PASSWORD');
    await setPassword({
      em: em(),
      userId: user.id,
      currentPassword: 'first-password',
      password: 'second-password',
    });
    expect(await authenticateSession({ em: em(), token })).toBeNull();
    expect(
      (await rejection(login({ em: em(), email: 'me@change.io', password: 'first-password' }))).code,
    ).toBe('AUTH_INVALID_CREDENTIALS');
    expect(
      (await login({ em: em(), email: 'me@change.io', password: 'second-password' })).principal.userId,
    ).toBe(user.id);
  });
});
