import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credential } from '../src/db/entities/credential.entity.ts';
import { Integration } from '../src/db/entities/integration.entity.ts';
import { startTestHost, type TestActor, type TestHost } from './support/test-host.ts';

const PASSWORD_SECRET = 'fixture-basic-secret-Zq81';

/** Settings are validated by the plugin's own schema: per-field issues, nothing stored, secrets kept. */
describe('integration settings through the API', () => {
  let host: TestHost;
  let user: TestActor;
  let integrationId: string;

  beforeAll(async () => {
    host = await startTestHost();
    for (const secret of [PASSWORD_SECRET, 'another-secret-Kp20']) host.plantSecret(secret);
    const tenant = await host.createTenant('Settings Co');
    user = await host.createActor({ role: 'tenant_user', tenantId: tenant.id });
    const created = await user.rest<{ id: string }>('/api/v1/fixture-basic/integrations', {
      method: 'POST',
      body: { settings: { username: 'seller-1', password: PASSWORD_SECRET } },
    });
    expect(created.status).toBe(201);
    integrationId = created.body.id;
  });
  afterAll(() => host?.stop());

  const stored = async () => {
    const em = host.database.db.orm.em.fork();
    return em.findOneOrFail(Integration, { id: integrationId });
  };

  it('stores valid settings with defaults filled and the secret only in the vault', async () => {
    const row = await stored();
    expect(row.settings).toEqual({
      username: 'seller-1',
      platform: 'ro',
      syncFrequencyMinutes: 60,
      autoGenerateInvoices: true,
      acknowledgeOrders: false,
    });
    const credentials = await host.database.db.orm.em.fork().find(Credential, { integrationId });
    expect(credentials.map((c) => c.kind)).toEqual(['settings']);
    expect(credentials[0]!.ciphertext).not.toContain(PASSWORD_SECRET);
    const res = await user.rest(`/api/v1/fixture-basic/settings/${integrationId}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ settings: row.settings, secretsSet: ['password'] });
    expect(res.text).not.toContain(PASSWORD_SECRET);
  });

  const invalid: [string, Record<string, unknown>, string, string][] = [
    ['out of bounds', { syncFrequencyMinutes: 2 }, '/settings/syncFrequencyMinutes', 'SETTINGS_OUT_OF_RANGE'],
    [
      'wrong type',
      { autoGenerateInvoices: 'yes' },
      '/settings/autoGenerateInvoices',
      'SETTINGS_INVALID_TYPE',
    ],
    ['unknown key', { syncFrequencyMinuts: 30 }, '/settings/syncFrequencyMinuts', 'SETTINGS_UNKNOWN_FIELD'],
    ['required set to null', { username: null }, '/settings/username', 'SETTINGS_INVALID_TYPE'],
  ];

  for (const [kind, settings, path, code] of invalid) {
    it(`REST PUT refuses ${kind} with 400 and the field's pointer, storing nothing`, async () => {
      const before = await stored();
      const res = await user.rest<{ error: { code: string; issues: { path: string; code: string }[] } }>(
        `/api/v1/fixture-basic/settings/${integrationId}`,
        { method: 'PUT', body: { settings: { ...settings, platform: 'bg' } } },
      );
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
      expect(res.body.error.issues).toContainEqual(expect.objectContaining({ path, code }));
      const after = await stored();
      expect(after.settings).toEqual(before.settings);
      expect(after.updatedAt).toEqual(before.updatedAt);
    });

    it(`tRPC updateSettings refuses ${kind} with BAD_REQUEST and data.issues`, async () => {
      const error = await user.trpc.integrations.updateSettings
        .mutate({ id: integrationId, settings })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TRPCClientError);
      const data = (error as TRPCClientError<never>).data as unknown as {
        code: string;
        httpStatus: number;
        issues: unknown[];
      };
      expect(data.code).toBe('BAD_REQUEST');
      expect(data.httpStatus).toBe(400);
      expect(data.issues).toContainEqual(expect.objectContaining({ path, code }));
    });
  }

  it('says what is wrong in words, by the field and its unit, not in JSON Schema terms (issue 13)', async () => {
    const res = await user.rest<{ error: { message: string; issues: { path: string; message: string }[] } }>(
      `/api/v1/fixture-basic/settings/${integrationId}`,
      { method: 'PUT', body: { settings: { syncFrequencyMinutes: 2 } } },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Nothing was saved: Sync frequency must be at least 5 minutes.');
    expect(res.body.error.issues).toEqual([
      expect.objectContaining({
        path: '/settings/syncFrequencyMinutes',
        message: 'must be at least 5 minutes',
      }),
    ]);
    const error = (await user.trpc.integrations.updateSettings
      .mutate({ id: integrationId, settings: { syncFrequencyMinutes: 5000, autoGenerateInvoices: 'yes' } })
      .catch((e: unknown) => e)) as TRPCClientError<never>;
    expect(error.message).toBe(
      'Nothing was saved: Sync frequency must be at most 1440 minutes; Auto-generate invoices must be yes or no.',
    );
    expect(error.message).not.toMatch(/>=|<=|schema|\/settings/);
  });

  it('refuses a new integration that misses a required field', async () => {
    const res = await user.rest<{ error: { issues: { path: string; code: string }[] } }>(
      '/api/v1/fixture-basic/integrations',
      { method: 'POST', body: { settings: { username: 'x' } } },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.issues).toEqual([
      expect.objectContaining({ path: '/settings/password', code: 'SETTINGS_REQUIRED' }),
    ]);
    const count = await host.database.db.orm.em.fork().count(Integration, {});
    expect(count).toBe(1);
  });

  it('stores a valid update, returns it, and keeps the secret when it is left empty', async () => {
    const res = await user.rest<{ success: boolean; settings: Record<string, unknown> }>(
      `/api/v1/fixture-basic/settings/${integrationId}`,
      { method: 'PUT', body: { settings: { syncFrequencyMinutes: 45, platform: 'hu', password: '' } } },
    );
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.settings).toMatchObject({
      syncFrequencyMinutes: 45,
      platform: 'hu',
      username: 'seller-1',
    });
    expect(res.body.settings).not.toHaveProperty('password');
    expect((await stored()).settings).toEqual(res.body.settings);
    const view = await user.trpc.integrations.getSettings.query({ id: integrationId });
    expect(view.settings).toEqual(res.body.settings);
    expect(view.secretsSet).toEqual(['password']);
    expect(view.schema).toHaveProperty('properties.password.writeOnly', true);
    expect(JSON.stringify(view)).not.toContain(PASSWORD_SECRET);
  });

  it('replaces the secret when a new one is sent, without ever returning it', async () => {
    const res = await user.trpc.integrations.updateSettings.mutate({
      id: integrationId,
      settings: { password: 'another-secret-Kp20' },
    });
    expect(JSON.stringify(res)).not.toContain('another-secret-Kp20');
    const credential = await host.database.db.orm.em.fork().findOneOrFail(Credential, { integrationId });
    expect(credential.version).toBe(2);
  });

  const schedule = async () => {
    const res = await host.database.db.pool.query<{ repeat_interval: string | number | null }>(
      `select repeat_interval from agenda_jobs where data->>'integrationId' = $1 and data->>'trigger' = 'schedule'`,
      [integrationId],
    );
    return res.rows.map((r) => String(r.repeat_interval));
  };

  it('reschedules the jobs when an interval setting changes, and unschedules a deactivated one', async () => {
    // The last valid update set 45 minutes.
    expect(await schedule()).toEqual([String(45 * 60_000)]);
    await user.trpc.integrations.updateSettings.mutate({
      id: integrationId,
      settings: { syncFrequencyMinutes: 20 },
    });
    expect(await schedule()).toEqual([String(20 * 60_000)]);
    await user.trpc.integrations.deactivate.mutate({ id: integrationId });
    expect(await schedule()).toEqual([]);
    await user.trpc.integrations.enable.mutate({ id: integrationId });
    expect(await schedule()).toEqual([String(20 * 60_000)]);
  });
});
