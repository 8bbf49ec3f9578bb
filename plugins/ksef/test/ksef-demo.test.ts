import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDemo, type DemoMode } from '../../../host/test/support/demo.ts';
import { startTestHost, type TestHost } from '../../../host/test/support/test-host.ts';
import { connectAccount, ROOT_REGISTRY, syncAndWait } from '../../allegro/test/support.ts';
import { allInvoices, until } from './support.ts';

/**
 * `npm start` with the real plugins: the demo tenant's Polish company is connected to the KSeF
 * sandbox (the sandbox's token in the vault), so the Allegro orders it invoices get cleared.
 */
describe('KSeF in demo mode', () => {
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

  it('connects the Polish demo company to the KSeF sandbox and clears its Allegro invoices', async () => {
    demo = await startTestDemo(host, overrides);
    const pool = host.database.db.pool;
    const { rows } = await pool.query<{ id: string; tenant_id: string; country: string; status: string }>(
      `select i.id, i.tenant_id, c.country, i.status from integrations i join companies c on c.id = i.company_id
        where i.plugin_id = 'ksef'`,
    );
    expect(rows.map((r) => [r.country, r.status])).toEqual([['PL', 'active']]);
    const user = await host.createActor({ role: 'tenant_admin', tenantId: rows[0]!.tenant_id });
    const secrets = await user.trpc.integrations.getSettings.query({ id: rows[0]!.id });
    expect(secrets.secretsSet).toEqual(['ksefToken']);

    const allegro = await connectAccount(user, 0);
    expect((await syncAndWait(user, allegro, 300_000)).status).toBe('succeeded');
    const cleared = await until(
      'a cleared demo invoice',
      async () =>
        (await allInvoices(user, `&integrationId=${allegro}`)).find(
          (i) => i.clearance?.status === 'accepted',
        ),
      240_000,
    );
    expect(cleared.clearance!.number).toMatch(/^7740001454-\d{8}-[0-9A-F]{12}-[0-9A-F]{2}$/);
  }, 600_000);
});
