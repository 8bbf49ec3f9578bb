import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncRun } from '../src/db/entities/sync-run.entity.ts';
import { startTestHost, type TestActor, type TestHost } from './support/test-host.ts';

const statusOf = (error: unknown) =>
  error instanceof TRPCClientError
    ? (error.data as { httpStatus?: number } | undefined)?.httpStatus
    : undefined;
const fails = (promise: Promise<unknown>) => promise.then(() => 'succeeded', statusOf);

/** tenant_user vs tenant_admin vs platform_admin, the catalog with its refused plugin, admin tools. */
describe('roles, catalog and admin procedures', () => {
  let host: TestHost;
  let tenantId: string;
  let otherTenantId: string;
  let user: TestActor;
  let tenantAdmin: TestActor;
  let admin: TestActor;
  let integrationId: string;

  beforeAll(async () => {
    host = await startTestHost();
    tenantId = (await host.createTenant('Roles Co')).id;
    otherTenantId = (await host.createTenant('Other Co')).id;
    user = await host.createActor({ role: 'tenant_user', tenantId });
    tenantAdmin = await host.createActor({ role: 'tenant_admin', tenantId });
    admin = await host.createActor({ role: 'platform_admin' });
    const created = await user.trpc.integrations.create.mutate({
      pluginId: 'fixture-basic',
      settings: { username: 'roles-user', password: 'roles-password' },
    });
    integrationId = created.id;
  });
  afterAll(() => host?.stop());

  it('answers 401 without a session', async () => {
    expect(await fails(host.trpc().integrations.list.query())).toBe(401);
    expect(await fails(host.trpc().plugins.list.query())).toBe(401);
    expect(await fails(host.trpc({ token: 'mch_not-a-real-token' }).auth.me.query())).toBe(401);
  });

  it('sends the session cookie again when its expiry slides forward', async () => {
    await host.database.db.pool.query(
      `update sessions set expires_at = now() + interval '5 days' where user_id = $1`,
      [user.id],
    );
    const res = await fetch(`${host.url}/trpc/auth.me`, { headers: { cookie: user.cookie } });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie.startsWith(`${user.cookie};`)).toBe(true);
    expect(cookie).toContain('HttpOnly');
    const again = await fetch(`${host.url}/trpc/auth.me`, { headers: { cookie: user.cookie } });
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it('tells who is signed in, with the tenant name', async () => {
    const me = await user.trpc.auth.me.query();
    expect(me.user).toEqual({
      id: user.id,
      email: user.email,
      role: 'tenant_user',
      tenantId,
      tenantName: 'Roles Co',
    });
    const login = await host.trpc().auth.login.mutate({ email: admin.email, password: admin.password });
    expect(login.user).toMatchObject({ role: 'platform_admin', tenantId: null, tenantName: null });
    expect(
      await fails(host.trpc().auth.login.mutate({ email: admin.email, password: 'wrong-password' })),
    ).toBe(401);
  });

  it('lets tenant users work with integrations but not remove them or edit the company', async () => {
    expect((await user.trpc.integrations.get.query({ id: integrationId })).pluginId).toBe('fixture-basic');
    expect(await fails(user.trpc.integrations.remove.mutate({ id: integrationId }))).toBe(403);
    expect(await fails(user.trpc.tenant.updateCompany.mutate({ name: 'Nope' }))).toBe(403);
    const company = await tenantAdmin.trpc.tenant.updateCompany.mutate({
      name: 'Roles Company sp. z o.o.',
      // A Polish company: its tax id must be a NIP whose check digit holds.
      taxId: '5260001246',
      defaultCurrency: 'PLN',
      address: { city: 'Kraków' },
    });
    expect(company.company).toMatchObject({
      name: 'Roles Company sp. z o.o.',
      taxId: '5260001246',
      defaultCurrency: 'PLN',
    });
    expect((await user.trpc.tenant.get.query()).company?.name).toBe('Roles Company sp. z o.o.');
  });

  it('keeps every admin procedure for platform admins', async () => {
    for (const actor of [user, tenantAdmin]) {
      expect(await fails(actor.trpc.admin.metrics.query())).toBe(403);
      expect(await fails(actor.trpc.admin.integrations.query())).toBe(403);
      expect(await fails(actor.trpc.admin.tenants.query())).toBe(403);
      expect(await fails(actor.trpc.plugins.catalog.query())).toBe(403);
      expect(
        await fails(
          actor.trpc.admin.setPluginEnabled.mutate({ tenantId, pluginId: 'fixture-basic', enabled: true }),
        ),
      ).toBe(403);
      expect(await fails(actor.trpc.admin.batch.mutate({ ids: [integrationId], action: 'sync' }))).toBe(403);
    }
  });

  it('shows the refused plugin and every issue in the catalog', async () => {
    const catalog = await admin.trpc.plugins.catalog.query();
    expect(catalog.plugins.map((p) => p.id)).toEqual(['fixture-basic', 'fixture-rich']);
    const broken = catalog.refused.find((r) => r.id === 'fixture-broken');
    expect(broken?.dir).toBe('fixture-broken');
    expect(broken?.issues.map((i) => i.pointer).sort()).toEqual([
      '/jobs/0/hook',
      '/jobs/1/interval/setting',
      '/version',
    ]);
    expect(broken?.issues.every((i) => i.code.startsWith('MANIFEST_') && i.message.length > 10)).toBe(true);
    expect(catalog.refused.find((r) => r.dir === 'fixture-missing')?.issues[0]?.code).toBe(
      'MANIFEST_NOT_FOUND',
    );
  });

  it('lists plugins with their schema, auth and jobs', async () => {
    const plugins = await user.trpc.plugins.list.query();
    const basic = plugins.find((p) => p.id === 'fixture-basic');
    expect(basic).toMatchObject({
      name: 'Fixture Basic',
      auth: { type: 'basic' },
      jobs: [{ id: 'sync-orders', title: 'Sync orders' }],
    });
    expect(basic?.settingsSchema).toHaveProperty('properties.password.writeOnly', true);
    expect(plugins.find((p) => p.id === 'fixture-rich')?.auth.type).toBe('oauth2');
  });

  it('lets an admin switch a connector off for a tenant, and back on', async () => {
    const scheduled = async () =>
      (
        await host.database.db.pool.query(
          `select 1 from agenda_jobs where data->>'integrationId' = $1 and data->>'trigger' = 'schedule'`,
          [integrationId],
        )
      ).rows.length;
    expect(await scheduled()).toBe(1);
    await admin.trpc.admin.setPluginEnabled.mutate({ tenantId, pluginId: 'fixture-basic', enabled: false });
    expect((await user.trpc.plugins.list.query()).map((p) => p.id)).toEqual(['fixture-rich']);
    expect(await scheduled()).toBe(0);
    expect(await fails(user.trpc.integrations.sync.mutate({ id: integrationId }))).toBe(412);
    const rest = await user.rest('/api/v1/fixture-basic/integrations');
    expect(rest.status).toBe(404);
    const tenants = await admin.trpc.admin.tenants.query();
    expect(tenants.find((t) => t.id === tenantId)?.plugins).toContainEqual({
      pluginId: 'fixture-basic',
      enabled: false,
    });
    expect(tenants.find((t) => t.id === otherTenantId)?.plugins).toContainEqual({
      pluginId: 'fixture-basic',
      enabled: true,
    });
    await admin.trpc.admin.setPluginEnabled.mutate({ tenantId, pluginId: 'fixture-basic', enabled: true });
    expect((await user.trpc.plugins.list.query()).map((p) => p.id)).toContain('fixture-basic');
    expect(await scheduled()).toBe(1);
  });

  it('lets admins act on any tenant and batch actions report per id', async () => {
    const foreign = await admin.trpc.integrations.create.mutate({
      pluginId: 'fixture-basic',
      tenantId: otherTenantId,
      settings: { username: 'other', password: 'other-password' },
    });
    expect(foreign.tenantId).toBe(otherTenantId);
    await admin.trpc.integrations.updateSettings.mutate({
      id: integrationId,
      settings: { syncFrequencyMinutes: 30 },
    });
    const batch = await admin.trpc.admin.batch.mutate({
      ids: [integrationId, foreign.id, '00000000-0000-4000-8000-000000000000'],
      action: 'disable',
    });
    expect(batch.results.map((r) => r.ok)).toEqual([true, true, false]);
    expect(batch.results[2]).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const disabled = await admin.trpc.admin.integrations.query({ health: 'disabled' });
    expect(disabled.total).toBe(2);
    expect(disabled.items.map((i) => i.tenantName).sort()).toEqual(['Other Co', 'Roles Co']);
    expect(await fails(user.trpc.integrations.sync.mutate({ id: integrationId }))).toBe(412);

    const enabled = await admin.trpc.admin.batch.mutate({ ids: [integrationId], action: 'enable' });
    expect(enabled.results[0]?.ok).toBe(true);
    const synced = await admin.trpc.admin.batch.mutate({ ids: [integrationId], action: 'sync' });
    expect(synced.results[0]).toMatchObject({ ok: true, runId: expect.any(String) });
  });

  it('triggers a sync whose run can be polled, and counts it in the metrics', async () => {
    const { runId } = await user.trpc.integrations.sync.mutate({ id: integrationId });
    const run = await user.trpc.integrations.run.query({ runId });
    expect(run).toMatchObject({
      id: runId,
      integrationId,
      jobId: 'sync-orders',
      trigger: 'manual',
      status: 'queued',
    });
    expect((await user.trpc.integrations.runs.query({ id: integrationId })).map((r) => r.id)).toContain(
      runId,
    );
    expect(await fails(user.trpc.integrations.sync.mutate({ id: integrationId, jobId: 'nope' }))).toBe(400);

    const em = host.database.db.orm.em.fork();
    em.create(SyncRun, {
      tenantId,
      integrationId,
      jobId: 'sync-orders',
      trigger: 'schedule',
      status: 'failed',
      counts: { fetched: 0, created: 0, updated: 0, unchanged: 0, failed: 0 },
      startedAt: new Date(),
    });
    await em.flush();
    const metrics = await admin.trpc.admin.metrics.query();
    expect(metrics).toMatchObject({ total: 2, active: 1, disabled: 1, inError: 0, needsReauth: 0 });
    expect(metrics.perDay).toHaveLength(14);
    const today = metrics.perDay.at(-1)!;
    expect(today.day).toBe(new Date().toISOString().slice(0, 10));
    // The batch's queued run absorbs the user's request (one queued run per job), plus the failed one.
    expect(today.runs).toBe(2);
    expect(today.failures).toBe(1);
  });

  it('resets the failure counter when an integration is enabled again', async () => {
    await user.trpc.integrations.deactivate.mutate({ id: integrationId, reason: 'holiday' });
    const off = await user.trpc.integrations.status.query({ id: integrationId });
    expect(off).toMatchObject({ status: 'disabled', statusReason: 'holiday', health: 'disabled' });
    const on = await user.trpc.integrations.enable.mutate({ id: integrationId });
    expect(on).toMatchObject({ status: 'active', consecutiveFailures: 0, statusReason: null });
  });

  it('refuses OAuth plugins on the credentials path and explains authUrl without a broker', async () => {
    expect(
      await fails(
        user.trpc.integrations.create.mutate({ pluginId: 'fixture-rich', settings: { invoicing: {} } }),
      ),
    ).toBe(400);
    expect(await fails(user.trpc.integrations.authUrl.mutate({ pluginId: 'fixture-basic' }))).toBe(400);
    expect(await fails(user.trpc.integrations.authUrl.mutate({ pluginId: 'fixture-rich' }))).toBe(412);
    expect(await fails(user.trpc.integrations.authUrl.mutate({ pluginId: 'fixture-broken' }))).toBe(404);
    for (const returnTo of ['//evil.example/x', '/\\evil.example', 'https://evil.example']) {
      expect(await fails(user.trpc.integrations.authUrl.mutate({ pluginId: 'fixture-rich', returnTo }))).toBe(
        400,
      );
    }
  });

  it('lets a tenant admin remove an integration, credentials included', async () => {
    await tenantAdmin.trpc.integrations.remove.mutate({ id: integrationId });
    expect(await fails(user.trpc.integrations.get.query({ id: integrationId }))).toBe(404);
    const left = await host.database.db.pool.query<{ n: number }>(
      'select count(*)::int as n from credentials where integration_id = $1',
      [integrationId],
    );
    expect(left.rows[0]?.n).toBe(0);
  });
});
