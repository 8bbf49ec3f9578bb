import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoMode, type DemoMode } from '../src/app/demo-mode.ts';
import { SHOP_KEY, SHOP_TOKEN } from './fixtures/plugins/fixture-apikey/sandbox/index.ts';
import { startTestHost, type TestHost } from './support/test-host.ts';

const REGISTRY = join(import.meta.dirname, 'fixtures', 'plugins', 'apikey.registry.json');

// Issue 14: `sandbox.settings` lets demo mode connect any plugin — here one whose sandbox names
// its credentials unlike the plugin's settings (`key`, `token`), with an API key in a header.
describe("demo mode connects a plugin from its manifest's sandbox.settings", () => {
  let host: TestHost;
  let demo: DemoMode;
  const overrides = new Map<string, Record<string, string>>();

  beforeAll(async () => {
    host = await startTestHost({
      registryPath: REGISTRY,
      role: 'all',
      configOverrides: overrides,
      schedulerPollMs: 100,
    });
    host.plantSecret(SHOP_KEY);
    host.plantSecret(SHOP_TOKEN);
  });
  afterAll(async () => {
    await demo?.stop();
    await host?.stop(); // fails if the key or the token reached the logs
  });

  it('the demo account is connected with the settings the manifest fills, and its first sync invoices', async () => {
    demo = await startDemoMode({
      services: host.app.services,
      configOverrides: overrides,
      publicUrl: host.url,
    });
    const shop = demo.sandboxes.find((s) => s.pluginId === 'fixture-apikey')!;
    expect(overrides.get('fixture-apikey')).toEqual({ FIXTURE_SHOP_URL: shop.url });
    const { rows } = await host.database.db.pool.query<{ id: string; status: string; account: string }>(
      `select id, status, external_account_id as account from integrations where plugin_id = 'fixture-apikey'`,
    );
    // The store's address (`{url}`) names the account; the key and the token went to the vault.
    expect(rows).toEqual([{ id: expect.any(String), status: 'active', account: shop.url.toLowerCase() }]);
    let invoices = 0;
    for (let i = 0; i < 200 && invoices < 4; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const counted = await host.database.db.pool.query<{ n: string }>(
        `select count(*) as n from invoices where integration_id = $1`,
        [rows[0]!.id],
      );
      invoices = Number(counted.rows[0]!.n);
    }
    expect(invoices).toBe(4);
  });
});
