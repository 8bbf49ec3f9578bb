import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConfigured, shouldRunDemo, startDemoMode, type DemoMode } from '../src/app/demo-mode.ts';
import { Company } from '../src/db/entities/company.entity.ts';
import { Integration } from '../src/db/entities/integration.entity.ts';
import { startTestHost, type TestHost } from './support/test-host.ts';

/** `npm start` on a fresh machine: sandboxes, a demo tenant and connected demo accounts. */
describe('demo mode', () => {
  let host: TestHost;
  let demo: DemoMode;
  const overrides = new Map<string, Record<string, string>>();

  beforeAll(async () => {
    host = await startTestHost({ configOverrides: overrides });
    host.plantSecret('fixture-secret');
  });
  afterAll(async () => {
    await demo?.stop();
    await host?.stop();
  });

  it('runs only while no plugin is configured, and only on the embedded database', () => {
    const basic = host.app.services.plugins.get('fixture-basic')!;
    expect(isConfigured(basic, {})).toBe(false);
    expect(isConfigured(basic, { FIXTURE_BASE_URL: 'https://real.example' })).toBe(true);
    const rich = host.app.services.plugins.get('fixture-rich')!;
    expect(isConfigured(rich, { RICH_CLIENT_ID: 'id' })).toBe(true);
    expect(shouldRunDemo(host.app.services, {})).toBe(host.database.db.kind === 'embedded');
    expect(shouldRunDemo(host.app.services, { RICH_CLIENT_ID: 'id' })).toBe(false);
  });

  it('starts the sandboxes, points the plugins at them and connects the demo accounts', async () => {
    demo = await startDemoMode({
      services: host.app.services,
      configOverrides: overrides,
      publicUrl: host.url,
    });
    expect(demo.sandboxes.map((s) => s.pluginId)).toEqual(['fixture-basic', 'fixture-rich']);
    const basicSandbox = demo.sandboxes[0]!.url;
    expect(overrides.get('fixture-basic')).toEqual({ FIXTURE_BASE_URL: basicSandbox });
    // The manifest's `sandbox.demo` options keep the demo's marketplace busy (new orders, returns).
    const started = async (url: string) => await (await fetch(`${url}/__sandbox/options`)).json();
    expect(await started(basicSandbox)).toEqual({ extra: { newOrdersEveryMs: 60000 } });
    expect(await started(demo.sandboxes[1]!.url)).toEqual({ extra: {} });
    expect(overrides.get('fixture-rich')).toMatchObject({
      RICH_API_URL: demo.sandboxes[1]!.url,
      RICH_CLIENT_ID: 'fixture',
    });

    expect(demo.logins.map((l) => [l.email, l.role])).toEqual([
      ['seller@demo.local', 'tenant_admin'],
      ['admin@demo.local', 'platform_admin'],
    ]);
    for (const login of demo.logins) host.plantSecret(login.password);
    const stored = JSON.parse(
      readFileSync(join(host.app.services.env.dataDir, 'demo-credentials.json'), 'utf8'),
    );
    expect(stored.logins).toEqual(demo.logins);

    const cookie = await host.login('seller@demo.local', demo.logins[0]!.password);
    const seller = host.trpc({ cookie });
    const integrations = await seller.integrations.list.query();
    // Credentials-based plugins get a demo account; OAuth ones are connected from the console.
    expect(integrations.map((i) => [i.pluginId, i.status])).toEqual([['fixture-basic', 'active']]);
    const settings = await seller.integrations.getSettings.query({ id: integrations[0]!.id });
    expect(settings.settings).toMatchObject({ username: 'fixture' });
    expect(settings.secretsSet).toEqual(['password']);
    const runs = await seller.integrations.runs.query({ id: integrations[0]!.id });
    expect(runs).toHaveLength(1);
    // Two complete sellers, Polish (the default) and Romanian; an account whose manifest names no
    // `sandbox.sellerCountry` is left to the default company (a plugin that names one: eMAG's
    // demo test, plugins/emag/test/emag-demo.test.ts).
    const em = host.database.db.orm.em.fork();
    const companies = await em.find(
      Company,
      { tenantId: integrations[0]!.tenantId },
      { orderBy: { createdAt: 'asc' } },
    );
    expect(companies.map((c) => [c.country, c.isDefault])).toEqual([
      ['PL', true],
      ['RO', false],
    ]);
    expect((await em.findOneOrFail(Integration, { id: integrations[0]!.id })).companyId).toBeNull();
  });

  it('reuses the demo tenant, users and accounts on the next start', async () => {
    await demo.stop();
    demo = await startDemoMode({
      services: host.app.services,
      configOverrides: overrides,
      publicUrl: host.url,
    });
    expect(demo.logins).toHaveLength(2);
    const em = host.database.db.orm.em.fork();
    expect(await em.count(Integration, { pluginId: 'fixture-basic' })).toBe(1);
  });
});
