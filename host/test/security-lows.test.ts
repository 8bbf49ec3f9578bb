import { mkdir, mkdtemp, readFile, rm, symlink, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_VERSION } from '../src/app/version.ts';
import { SYNC_QUOTA } from '../src/integrations/sync-actions.ts';
import { createInvoiceLinkSigner } from '../src/invoicing/public-url.ts';
import { createLogger } from '../src/logging/logger.ts';
import { validatePluginFolder } from '../src/plugins/index.ts';
import { seedTenant } from '../src/records/test-fixtures.ts';
import { createPluginOutbound } from '../src/sync/context/outbound.ts';
import { startFakeOAuthProvider, type FakeOAuthProvider } from './support/fake-oauth-provider.ts';
import { startTestHost, type TestActor, type TestHost } from './support/test-host.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'plugins');

/**
 * Issue 11, the low findings, each as an attack that is now refused: a switched-off connector,
 * a disabled tenant's webhook, a plugin entry outside its folder, a flood of sync triggers, and
 * signed invoice links kept in records and logs.
 */
describe('security: the low findings', () => {
  let host: TestHost;
  let provider: FakeOAuthProvider;
  let admin: TestActor;
  let user: TestActor;
  let tenantId: string;
  let basicId: string;
  let richId: string;
  const overrides = new Map<string, Record<string, string>>();

  beforeAll(async () => {
    provider = await startFakeOAuthProvider();
    host = await startTestHost({ configOverrides: overrides });
    overrides.set('fixture-rich', provider.config(`${host.url}/api/v1/fixture-rich/auth/callback`));
    tenantId = (await host.createTenant('Lows Co')).id;
    admin = await host.createActor({ role: 'platform_admin' });
    user = await host.createActor({ role: 'tenant_admin', tenantId });
    basicId = (
      await user.trpc.integrations.create.mutate({
        pluginId: 'fixture-basic',
        settings: { username: 'lows-login', password: 'lows-password' },
      })
    ).id;
    const { url } = await user.trpc.integrations.authUrl.mutate({ pluginId: 'fixture-rich' });
    const landed = await fetch(provider.approve(url, 'lows-account'), {
      redirect: 'manual',
      headers: { cookie: user.cookie },
    });
    richId = new URL(landed.headers.get('location')!, 'http://x').searchParams.get('connected')!;
    expect(richId).toBeTruthy();
  });
  afterAll(async () => {
    await host?.stop();
    await provider?.close();
  });

  it('refuses settings and connection tests of a connector switched off for the tenant', async () => {
    await admin.trpc.admin.setPluginEnabled.mutate({ tenantId, pluginId: 'fixture-basic', enabled: false });
    try {
      for (const [what, call] of [
        ['getSettings', () => user.trpc.integrations.getSettings.query({ id: basicId })],
        [
          'updateSettings',
          () =>
            user.trpc.integrations.updateSettings.mutate({
              id: basicId,
              settings: { syncFrequencyMinutes: 30 },
            }),
        ],
        ['testConnection', () => user.trpc.integrations.testConnection.mutate({ id: basicId })],
        ['sync', () => user.trpc.integrations.sync.mutate({ id: basicId })],
      ] as const) {
        const error = (await (call as () => Promise<unknown>)().then(
          () => new Error(`${what} succeeded`),
          (e: unknown) => e,
        )) as { data?: { httpStatus: number }; message: string };
        expect(error.data?.httpStatus, `${what}: ${error.message}`).toBe(412);
        expect(error.message).toMatch(/switched off for this tenant/);
      }
      const rest = await user.rest(`/api/v1/fixture-basic/settings/${basicId}`);
      expect(rest.status).toBe(404);
    } finally {
      await admin.trpc.admin.setPluginEnabled.mutate({ tenantId, pluginId: 'fixture-basic', enabled: true });
    }
    expect((await user.trpc.integrations.getSettings.query({ id: basicId })).settings.username).toBe(
      'lows-login',
    );
  });

  it("pulls nothing for a disabled tenant's webhook", async () => {
    const hookUrl = host.app.services.sync.webhookUrl(richId, 'order-created');
    const runs = async () =>
      (await host.database.db.pool.query(`select 1 from sync_runs where integration_id = $1`, [richId])).rows
        .length;
    const before = await runs();
    const live = await fetch(hookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'order-1' }),
    });
    expect(live.status).toBe(202);
    expect(await runs()).toBe(before + 1);
    await host.database.db.pool.query(`update tenants set disabled_at = now() where id = $1`, [tenantId]);
    try {
      const disabled = await fetch(hookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'order-2' }),
      });
      expect(disabled.status).toBe(404);
      expect(await runs()).toBe(before + 1);
    } finally {
      await host.database.db.pool.query(`update tenants set disabled_at = null where id = $1`, [tenantId]);
    }
  });

  it('limits sync triggers per tenant: a tRPC batch of 100 answers 429 with words past the quota', async () => {
    const paths = Array.from({ length: 100 }, () => 'integrations.sync').join(',');
    const input = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [String(i), { id: basicId }]));
    const response = await fetch(`${host.url}/trpc/${paths}?batch=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const results = (await response.json()) as {
      result?: unknown;
      error?: { message: string; data: { httpStatus: number } };
    }[];
    const ok = results.filter((r) => r.result);
    const limited = results.filter((r) => r.error?.data.httpStatus === 429);
    // Earlier tests started one sync already; the quota counts every person-started sync.
    expect(ok.length).toBeLessThanOrEqual(SYNC_QUOTA.perWindow);
    expect(ok.length).toBeGreaterThanOrEqual(SYNC_QUOTA.perWindow - 2);
    expect(limited.length).toBe(100 - ok.length);
    expect(limited[0]!.error!.message).toMatch(/Too many syncs started.*Wait a minute/);
    const rest = await user.rest<{ error: { code: string } }>(`/api/v1/fixture-basic/sync/${basicId}`, {
      method: 'POST',
      body: {},
    });
    expect(rest.status).toBe(429);
    expect(rest.body.error.code).toBe('TOO_MANY_REQUESTS');
  });

  it("refuses a manifest entry outside the plugin folder, by '..' or by a symlink", async () => {
    const root = await mkdtemp(join(tmpdir(), 'mch-entry-'));
    try {
      const make = async (name: string, entry: string) => {
        const dir = join(root, name);
        await cp(join(FIXTURES, 'fixture-basic'), dir, { recursive: true });
        const manifestPath = join(dir, 'plugin.manifest.json');
        const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
        manifest.entry = entry;
        delete manifest.$schema;
        await writeFile(manifestPath, JSON.stringify(manifest));
        return dir;
      };
      // The code it would run sits beside the plugin folder, not in it.
      await cp(join(FIXTURES, 'fixture-basic', 'src', 'index.ts'), join(root, 'x.ts'));
      const dotdot = await make('dotdot', './../x.ts');
      const linked = await make('linked', './src/linked.ts');
      await symlink(join(root, 'x.ts'), join(linked, 'src', 'linked.ts'));
      const inside = await make('inside', './src/index.ts');
      await mkdir(join(inside, 'src', 'more'), { recursive: true });
      for (const dir of [dotdot, linked]) {
        const result = await validatePluginFolder({ dir, hostVersion: HOST_VERSION });
        expect(result.ok, dir).toBe(false);
        expect(result.lines.join('\n')).toMatch(/\/entry.*outside the plugin folder/);
      }
      expect((await validatePluginFolder({ dir: inside, hostVersion: HOST_VERSION })).ok).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('keeps signed invoice-link tokens out of outbound records and logs', async () => {
    const db = host.database.db;
    const ids = await seedTenant(db.pool);
    const signer = createInvoiceLinkSigner({
      masterKey: Buffer.alloc(32, 7),
      publicUrl: 'https://host.example',
    });
    const invoiceId = '0b7c6f1e-4a52-4c1a-9d53-2f1e8d3c5a10';
    const url = signer.url(invoiceId);
    const token = url.split('/').pop()!.replace('.pdf', '');
    const outbound = createPluginOutbound({
      pool: db.pool,
      tenantId: ids.tenantId,
      integrationId: ids.integrationId,
      staleAfterMs: 60_000,
    });
    await outbound.batch([{ kind: 'attach', key: 'o-1', payload: { invoiceId, url } }], async () => ({
      echoed: url,
    }));
    await outbound
      .batch([{ kind: 'attach', key: 'o-2', payload: { url } }], async () => {
        throw new Error(`the marketplace could not download ${url}`);
      })
      .catch(() => undefined);
    const { rows } = await db.pool.query<{ row: string }>(
      `select row_to_json(o)::text as row from outbound_operations o where integration_id = $1`,
      [ids.integrationId],
    );
    expect(rows).toHaveLength(2);
    for (const { row } of rows) {
      expect(row).not.toContain(token);
      expect(row).toContain(`/public/invoices/${invoiceId}/[redacted].pdf`);
    }
    // The reference is enough to derive the link again when it is needed.
    expect(signer.url(invoiceId)).toBe(url);

    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _e, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    logger.info({ request: { data: [{ url }] } }, `attaching ${url}`);
    logger.error({ err: new Error(`failed on ${url}`) }, 'upload failed');
    const hook = `https://host.example/api/v1/webhooks/${invoiceId}/order-created/${token}`;
    logger.info({ hook }, 'webhook');
    expect(lines).toHaveLength(3);
    expect(lines.join('')).not.toContain(token);
    expect(lines.join('')).toContain('[redacted].pdf');
  });

  // Last: disabling the tenant ends its users' sessions.
  it("takes a disabled tenant's jobs off the scheduler, refuses its syncs and webhooks, and restores the jobs when enabled", async () => {
    const scheduled = async () =>
      (
        await host.database.db.pool.query<{ id: string }>(
          `select distinct data->>'integrationId' as id from agenda_jobs
            where data->>'trigger' = 'schedule' and data->>'integrationId' = any($1) order by 1`,
          [[basicId, richId]],
        )
      ).rows.map((r) => r.id);
    const both = [basicId, richId].sort();
    expect(await scheduled()).toEqual(both);
    const hookUrl = host.app.services.sync.webhookUrl(richId, 'order-created');
    const runs = async () =>
      (await host.database.db.pool.query(`select 1 from sync_runs where integration_id = $1`, [richId])).rows
        .length;
    const before = await runs();

    await admin.trpc.admin.setTenantDisabled.mutate({ tenantId, disabled: true });
    try {
      expect(await scheduled()).toEqual([]);
      // Only a platform admin still reaches the tenant's integrations: a sync is refused in words.
      const batch = await admin.trpc.admin.batch.mutate({ ids: [basicId], action: 'sync' });
      expect(batch.results).toEqual([
        {
          id: basicId,
          ok: false,
          error: {
            code: 'PRECONDITION_FAILED',
            message:
              'This organisation is disabled, so its accounts do not sync; enable the organisation first.',
          },
        },
      ]);
      const hook = await fetch(hookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'order-3' }),
      });
      expect(hook.status).toBe(404);
      // Switching a connector on again does not bring a disabled tenant's jobs back.
      await admin.trpc.admin.setPluginEnabled.mutate({ tenantId, pluginId: 'fixture-basic', enabled: true });
      expect(await scheduled()).toEqual([]);
      expect(await runs()).toBe(before);
    } finally {
      await admin.trpc.admin.setTenantDisabled.mutate({ tenantId, disabled: false });
    }
    expect(await scheduled()).toEqual(both);
  });
});
