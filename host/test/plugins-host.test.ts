import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './support/test-host.ts';

// The foundation issue's "done when": a manifest with three mistakes yields three located
// errors, visible through the API, and the host still serves the other plugins.
describe('a host with a broken plugin in its registry', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => host?.stop());

  it('keeps serving and lists the refused plugin with every located error', async () => {
    expect((await host.rest('/healthz')).status).toBe(200);
    const admin = await host.createActor({ role: 'platform_admin' });
    const catalog = await admin.trpc.plugins.catalog.query();
    expect(catalog.plugins.map((p) => p.id)).toEqual(['fixture-basic', 'fixture-rich']);
    const broken = catalog.refused.find((r) => r.id === 'fixture-broken');
    expect(broken?.issues.map(({ pointer, code }) => `${pointer} ${code}`)).toEqual([
      '/version MANIFEST_VERSION_INVALID',
      '/jobs/0/hook MANIFEST_HOOK_MISSING',
      '/jobs/1/interval/setting MANIFEST_SETTING_REFERENCE',
    ]);
    expect(catalog.refused.find((r) => r.dir === 'fixture-missing')?.issues[0]?.code).toBe(
      'MANIFEST_NOT_FOUND',
    );
  });

  it('answers for a valid plugin and not for the refused one', async () => {
    const tenant = await host.createTenant();
    const user = await host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
    expect((await user.rest('/api/v1/fixture-basic/integrations')).status).toBe(200);
    expect((await user.rest('/api/v1/fixture-broken/integrations')).status).toBe(404);
  });
});
