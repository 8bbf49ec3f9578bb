import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../src/auth/login.ts';
import { authenticateSession } from '../src/auth/sessions.ts';
import { ApiToken, AuditLog } from '../src/db/entities/index.ts';
import { migrate, openDatabase } from '../src/db/orm.ts';
import { createTenant, createUser } from '../src/tenancy/index.ts';
import { createTestDatabase } from '../src/testing/database.ts';
import { startTestHost, type TestActor, type TestHost } from './support/test-host.ts';

/**
 * Account management (issue 11) through the real server and database: change one's password,
 * API tokens with expiry (create, list, revoke, refusals in words), team admins disabling users
 * and resetting passwords, platform admins disabling tenants, sign out everywhere, and the CLI.
 */
async function failure(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  const error = await promise.then(
    () => new Error('expected a refusal'),
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCClientError)) throw error;
  const data = error.data as { httpStatus: number };
  return { status: data.httpStatus, message: error.message };
}

// Real scrypt logins throughout: seconds each on a busy shared machine.
describe('account management', { timeout: 120_000 }, () => {
  let host: TestHost;
  let tenantId: string;
  let admin: TestActor;
  let staff: TestActor;
  let root: TestActor;
  const em = () => host.database.db.orm.em.fork();
  const me = (cookie: string) => host.trpc({ cookie }).auth.me.query();

  beforeAll(async () => {
    host = await startTestHost({ logLevel: 'info' });
    tenantId = (await host.createTenant('Team Shop')).id;
    admin = await host.createActor({ role: 'tenant_admin', tenantId });
    staff = await host.createActor({ role: 'tenant_user', tenantId });
    root = await host.createActor({ role: 'platform_admin' });
  });
  afterAll(() => host?.stop());

  it('changes one’s own password with the current one, ending the other sessions only', async () => {
    const user = await host.createActor({ role: 'tenant_user', tenantId });
    const other = await host.login(user.email, user.password);
    expect(
      await failure(
        user.trpc.account.changePassword.mutate({
          currentPassword: 'not-the-password',
          newPassword: 'next-password-1',
        }),
      ),
    ).toEqual({
      status: 400,
      message: 'The current password is incorrect; enter the one you signed in with.',
    });
    expect(
      await failure(
        user.trpc.account.changePassword.mutate({ currentPassword: user.password, newPassword: 'short' }),
      ),
    ).toEqual({ status: 400, message: 'The password must be at least 10 characters long (it has 5).' });
    // An API token alone cannot change the password.
    expect(
      (
        await failure(
          host.trpc({ token: user.token }).account.changePassword.mutate({
            currentPassword: user.password,
            newPassword: 'next-password-1',
          }),
        )
      ).status,
    ).toBe(403);
    const newPassword = 'next-password-1-for-change';
    host.plantSecret(newPassword);
    const changed = await user.trpc.account.changePassword.mutate({
      currentPassword: user.password,
      newPassword,
    });
    expect(changed).toEqual({ success: true, otherSessionsEnded: 1 });
    expect((await me(user.cookie)).user.email).toBe(user.email);
    expect((await failure(me(other))).status).toBe(401);
    await expect(host.login(user.email, user.password)).rejects.toThrow(/401/);
    expect(await host.login(user.email, newPassword)).toMatch(/^mch_session=/);
  });

  it('creates API tokens with an optional expiry from the console, lists them, and revokes them', async () => {
    const created = await staff.trpc.account.createToken.mutate({
      name: 'nightly export',
      expiresInDays: 30,
    });
    host.plantSecret(created.token);
    expect(created.token).toMatch(/^mch_/);
    expect(created.tokenInfo).toMatchObject({ name: 'nightly export', state: 'active', revokedAt: null });
    const days = (Date.parse(created.tokenInfo.expiresAt!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    const listed = await host.rest<{ tokens: { id: string; name: string; state: string }[] }>(
      '/api/v1/account/tokens',
      { token: created.token },
    );
    expect(listed.status).toBe(200);
    expect(listed.body.tokens.map((t) => t.name)).toEqual(['nightly export', 'cli']);
    expect(listed.text).not.toContain(created.token);
    expect(listed.text).not.toContain(staff.token);
    // A token cannot mint tokens (a leaked one would outlive its revocation).
    expect(
      (await failure(host.trpc({ token: created.token }).account.createToken.mutate({ name: 'x' }))).status,
    ).toBe(403);

    await staff.trpc.account.revokeToken.mutate({ id: created.tokenInfo.id });
    const refused = await host.rest<{ error: { code: string; message: string } }>('/api/v1/invoices', {
      token: created.token,
    });
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(
      /^This API token was revoked on \d{4}-\d\d-\d\dT.*; create a new one in the console \(Settings → Profile → API tokens\)\.$/,
    );
    expect(
      (await staff.trpc.account.tokens.query()).tokens.find((t) => t.id === created.tokenInfo.id)?.state,
    ).toBe('revoked');
    // REST can revoke too (a script retiring its own token).
    const spare = await staff.trpc.account.createToken.mutate({ name: 'spare' });
    host.plantSecret(spare.token);
    const deleted = await host.rest(`/api/v1/account/tokens/${spare.tokenInfo.id}`, {
      method: 'DELETE',
      token: spare.token,
    });
    expect(deleted.status).toBe(200);
    expect((await host.rest('/api/v1/invoices', { token: spare.token })).status).toBe(401);
  });

  it('refuses an expired token, saying so, on REST and tRPC', async () => {
    const { token, tokenInfo } = await staff.trpc.account.createToken.mutate({
      name: 'short-lived',
      expiresInDays: 1,
    });
    host.plantSecret(token);
    expect((await host.rest('/api/v1/invoices', { token })).status).toBe(200);
    // A day later (moved in the database rather than waited for).
    await em().nativeUpdate(ApiToken, { id: tokenInfo.id }, { expiresAt: new Date(Date.now() - 1000) });
    const rest = await host.rest<{ error: { message: string } }>('/api/v1/invoices', { token });
    expect(rest.status).toBe(401);
    expect(rest.body.error.message).toMatch(/^This API token expired on .*; create a new one in the console/);
    const trpc = await failure(host.trpc({ token }).invoices.list.query({}));
    expect(trpc.status).toBe(401);
    expect(trpc.message).toMatch(/^This API token expired on /);
    expect((await staff.trpc.account.tokens.query()).tokens.find((t) => t.id === tokenInfo.id)?.state).toBe(
      'expired',
    );
  });

  it('lets a tenant admin reset a user’s password and disable or enable users of their tenant only', async () => {
    const user = await host.createActor({ role: 'tenant_user', tenantId });
    expect((await failure(staff.trpc.team.users.query())).status).toBe(403);
    const team = await admin.trpc.team.users.query();
    expect(team.users.map((u) => u.email)).toContain(user.email);
    expect(team.users.find((u) => u.email === user.email)).toMatchObject({
      disabled: false,
      activeTokens: 1,
    });

    const reset = await admin.trpc.team.resetPassword.mutate({ userId: user.id });
    expect(reset.generatedPassword).toMatch(/^[A-Za-z0-9_-]{20}$/);
    host.plantSecret(reset.generatedPassword!);
    expect(reset.sessionsEnded).toBe(1);
    expect((await failure(me(user.cookie))).status).toBe(401);
    await expect(host.login(user.email, user.password)).rejects.toThrow(/401/);
    const cookie = await host.login(user.email, reset.generatedPassword!);
    expect((await failure(admin.trpc.team.resetPassword.mutate({ userId: admin.id }))).status).toBe(409);

    await admin.trpc.team.setDisabled.mutate({ userId: user.id, disabled: true });
    expect((await failure(me(cookie))).status).toBe(401);
    const tokenRefused = await user.rest<{ error: { message: string } }>('/api/v1/invoices');
    expect([tokenRefused.status, tokenRefused.body.error.message]).toEqual([
      401,
      'The account this API token belongs to is disabled; ask an administrator to enable it.',
    ]);
    const signIn = await fetch(`${host.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.email, password: reset.generatedPassword }),
    });
    expect(signIn.status).toBe(403);
    expect(await signIn.text()).toContain('This account is disabled; ask an administrator.');
    expect((await admin.trpc.team.users.query()).users.find((u) => u.id === user.id)?.disabled).toBe(true);
    expect(
      (await failure(admin.trpc.team.setDisabled.mutate({ userId: admin.id, disabled: true }))).status,
    ).toBe(409);
    // Not across tenants, and not platform admins.
    expect(
      (await failure(admin.trpc.team.setDisabled.mutate({ userId: root.id, disabled: true }))).status,
    ).toBe(404);

    await admin.trpc.team.setDisabled.mutate({ userId: user.id, disabled: false });
    expect((await user.rest('/api/v1/invoices')).status).toBe(200);
    expect(await host.login(user.email, reset.generatedPassword!)).toMatch(/^mch_session=/);
    expect(
      await em().count(AuditLog, { action: { $in: ['user.disable', 'user.enable'] }, targetId: user.id }),
    ).toBe(2);
  });

  it('lets a tenant admin add a user and revoke a member’s tokens', async () => {
    const added = await admin.trpc.team.createUser.mutate({ email: 'added@team.test', role: 'tenant_user' });
    host.plantSecret(added.generatedPassword!);
    expect(added.user.tenantId).toBe(tenantId);
    expect(await host.login('added@team.test', added.generatedPassword!)).toMatch(/^mch_session=/);
    const tokens = await admin.trpc.team.tokens.query({ userId: staff.id });
    const cli = tokens.tokens.find((t) => t.name === 'cli' && t.state === 'active')!;
    await admin.trpc.team.revokeToken.mutate({ id: cli.id });
    expect((await staff.rest('/api/v1/invoices')).status).toBe(401);
  });

  it('lets a platform admin disable and enable a tenant: its users and tokens are refused meanwhile', async () => {
    const other = await host.createTenant('Paused Shop');
    const owner = await host.createActor({ role: 'tenant_admin', tenantId: other.id });
    expect(
      (await failure(owner.trpc.admin.setTenantDisabled.mutate({ tenantId: other.id, disabled: true })))
        .status,
    ).toBe(403);
    const done = await root.trpc.admin.setTenantDisabled.mutate({ tenantId: other.id, disabled: true });
    expect(done).toMatchObject({ disabled: true, sessionsEnded: 1 });
    expect((await root.trpc.admin.tenants.query()).find((t) => t.id === other.id)?.disabled).toBe(true);
    expect((await failure(me(owner.cookie))).status).toBe(401);
    const refused = await owner.rest<{ error: { message: string } }>('/api/v1/invoices');
    expect(refused.body.error.message).toBe(
      'The organisation this API token belongs to is disabled; ask a platform administrator to enable it.',
    );
    const signIn = await fetch(`${host.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: owner.email, password: owner.password }),
    });
    expect([signIn.status, (await signIn.text()).includes('This organisation is disabled')]).toEqual([
      403,
      true,
    ]);

    await root.trpc.admin.setTenantDisabled.mutate({ tenantId: other.id, disabled: false });
    expect((await owner.rest('/api/v1/invoices')).status).toBe(200);
    expect(await host.login(owner.email, owner.password)).toMatch(/^mch_session=/);
  });

  it('signs out everywhere: every session ends, API tokens keep working', async () => {
    const user = await host.createActor({ role: 'tenant_user', tenantId });
    const second = await host.login(user.email, user.password);
    const response = await fetch(`${host.url}/trpc/account.signOutEverywhere`, {
      method: 'POST',
      headers: { cookie: user.cookie, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie().join()).toMatch(/mch_session=; .*Max-Age=0/);
    expect((await failure(me(user.cookie))).status).toBe(401);
    expect((await failure(me(second))).status).toBe(401);
    expect((await user.rest('/api/v1/invoices')).status).toBe(200);
  });
});

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

/** The real CLI: on `databaseUrl` when given, else on the embedded database in `dataDir`. */
function cli(
  dataDir: string,
  databaseUrl: string | undefined,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  delete env.HOST_MASTER_KEY;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('account management from the CLI', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mch-secb-cli-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  // One real CLI run (it opens and migrates the database: slow on a busy machine); the token and
  // tenant subcommands wrap the same services the API tests above exercise.
  it(
    'resets a password with `user set-password`, generating one and ending sessions',
    { timeout: 150_000 },
    async () => {
      const test = process.env.DATABASE_URL ? await createTestDatabase() : undefined;
      const open = async () => test?.db ?? (await openDatabase({ dataDir }));
      const db = await open();
      try {
        if (!test) await migrate(db);
        await createTenant({ em: db.orm.em.fork(), name: 'Cli Shop' });
        await createUser({
          em: db.orm.em.fork(),
          tenant: 'cli-shop',
          email: 'ops@cli.test',
          role: 'tenant_admin',
          password: 'first-password-1',
        });
        const session = await login({
          em: db.orm.em.fork(),
          email: 'ops@cli.test',
          password: 'first-password-1',
        });
        if (!test) await db.close();
        const set = await cli(dataDir, test?.url, ['user', 'set-password', '--email', 'ops@cli.test']);
        expect(set.code, set.stderr).toBe(0);
        expect(set.stderr).toMatch(/Password of ops@cli.test set; 1 session\(s\) ended\./);
        const generated = /Generated password \(shown once, store it now\): (\S+)/.exec(set.stderr)?.[1];
        expect(generated).toMatch(/^[A-Za-z0-9_-]{20}$/);
        const after = test ? db : await open();
        try {
          await expect(
            login({ em: after.orm.em.fork(), email: 'ops@cli.test', password: 'first-password-1' }),
          ).rejects.toThrow(/incorrect/);
          expect(
            (await login({ em: after.orm.em.fork(), email: 'ops@cli.test', password: generated! })).principal
              .email,
          ).toBe('ops@cli.test');
          expect(await authenticateSession({ em: after.orm.em.fork(), token: session.token })).toBeNull();
        } finally {
          if (!test) await after.close();
        }
      } finally {
        await test?.close();
      }
    },
  );
});
