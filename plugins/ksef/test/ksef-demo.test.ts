import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestDemo,
  type DemoMode,
  startTestHost,
  type TestActor,
  type TestHost,
} from '@mch/host/testing';
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
  let user0: TestActor;
  let ksefId: string;
  let allegroId: string;

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
    // The sandbox's token, and the Offline certificate it issued for the demo company's NIP.
    expect([...secrets.secretsSet].sort()).toEqual([
      'ksefToken',
      'offlineCertificate',
      'offlineCertificateKey',
    ]);
    // …which are settings of the demo's connection, not sign-ins shown to a person.
    const view = await user.trpc.system.demo.query();
    expect(view?.plugins.find((p) => p.pluginId === 'ksef')?.signIns).toEqual([
      { fields: [expect.objectContaining({ setting: 'ksefToken' })] },
    ]);
    expect(JSON.stringify(view)).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
    ksefId = rows[0]!.id;
    user0 = user;

    const allegro = await connectAccount(user, 0);
    allegroId = allegro;
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

  it('issues the demo company’s invoices offline while KSeF is down, QR code II signed with its certificate', async () => {
    const sandboxOf = (pluginId: string) =>
      `${demo.sandboxes.find((s) => s.pluginId === pluginId)!.url}/__sandbox`;
    const ksef = sandboxOf('ksef');
    const put = (path: string, body: unknown, method = 'PUT') =>
      fetch(`${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await put(`${ksef}/faults`, { errorRate: 1, errorStatus: 503 })).status).toBeLessThan(300);
    try {
      const before = new Set((await allInvoices(user0, `&integrationId=${allegroId}`)).map((i) => i.id));
      expect((await put(`${sandboxOf('allegro')}/orders`, { count: 4 }, 'POST')).status).toBe(201);
      expect((await syncAndWait(user0, allegroId, 300_000)).status).toBe('succeeded');
      await user0.trpc.integrations.sync.mutate({ id: ksefId });
      const offline = await until(
        'a new demo invoice issued offline',
        async () =>
          (await allInvoices(user0, `&integrationId=${allegroId}`)).find(
            (i) => !before.has(i.id) && i.clearance?.status === 'offline',
          ),
        120_000,
      );
      const { rows } = await host.database.db.pool.query<{
        clearance: { qrCodes?: { payload: string; label?: string }[] };
      }>('select clearance from invoices where id = $1', [offline.id]);
      const qr2 = rows[0]!.clearance.qrCodes?.[0];
      expect(qr2?.label).toBe('CERTYFIKAT');
      const check = (await (await put(`${ksef}/qr/verify`, { url: qr2!.payload }, 'POST')).json()) as {
        valid: boolean;
        certificate: { type: string; nip: string } | null;
      };
      expect(check).toMatchObject({ valid: true, certificate: { type: 'Offline', nip: '7740001454' } });
    } finally {
      await put(`${ksef}/faults`, { errorRate: 0 });
    }
  }, 600_000);
});
