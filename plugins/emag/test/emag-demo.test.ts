import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDemo, type DemoMode, startTestHost, type TestHost } from '@mch/host/testing';
import { eventually, heldOf, invoicesOf, ROOT_REGISTRY } from './support.ts';

/**
 * `npm start` with the real plugins: the eMAG demo account (a Romanian seller's, manifest
 * `sandbox.sellerCountry`) issues under the demo tenant's Romanian company, so its orders at
 * Romania's 21 % / 11 % become invoices instead of being held for a Polish seller's VAT.
 */
describe('eMAG in demo mode', () => {
  let host: TestHost;
  let demo: DemoMode;
  const overrides = new Map<string, Record<string, string>>();

  beforeAll(async () => {
    host = await startTestHost({
      registryPath: ROOT_REGISTRY,
      role: 'all',
      configOverrides: overrides,
      schedulerPollMs: 200,
    });
  }, 60_000);
  afterAll(async () => {
    await demo?.stop();
    await host?.stop();
  });

  it('connects the eMAG demo account under the Romanian company and invoices its orders', async () => {
    demo = await startTestDemo(host, overrides);
    const seller = demo.logins.find((l) => l.role === 'tenant_admin')!;
    host.plantSecret(seller.password);
    const pool = host.database.db.pool;
    const integration = (
      await pool.query<{ id: string; country: string; tenant_id: string }>(
        `select i.id, c.country, i.tenant_id from integrations i join companies c on c.id = i.company_id
          where i.plugin_id = 'emag'`,
      )
    ).rows;
    expect(integration.map((r) => r.country)).toEqual(['RO']);
    const { id, tenant_id: tenantId } = integration[0]!;
    const companies = await pool.query<{ country: string; is_default: boolean }>(
      'select country, is_default from companies where tenant_id = $1 order by created_at',
      [tenantId],
    );
    // The Polish company stays the tenant's default (OAuth accounts connected later issue there).
    expect(companies.rows).toEqual([
      { country: 'PL', is_default: true },
      { country: 'RO', is_default: false },
    ]);

    const user = await host.createActor({ role: 'tenant_admin', tenantId });
    const runs = await eventually(async () => {
      const list = (await user.trpc.integrations.runs.query({ id })) as { status: string }[];
      return list.length > 0 && list.every((r) => r.status === 'succeeded' || r.status === 'failed')
        ? list
        : undefined;
    }, 240_000);
    expect(runs.map((r) => r.status)).toEqual(runs.map(() => 'succeeded'));
    const invoices = await invoicesOf(user, id);
    expect(invoices.length).toBeGreaterThan(50);
    expect(new Set(invoices.map((i) => i.currency))).toEqual(new Set(['RON']));
    expect(await heldOf(user, id)).toEqual([]);
    const issuers = await pool.query<{ country: string; n: string }>(
      `select c.country, count(*)::text as n from invoices i join companies c on c.id = i.company_id
        where i.integration_id = $1 group by c.country`,
      [id],
    );
    expect(issuers.rows).toEqual([{ country: 'RO', n: String(invoices.length) }]);
  }, 300_000);
});
