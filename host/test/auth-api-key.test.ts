import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SHOP_KEY,
  SHOP_TOKEN,
  startSandbox,
  type FakeShop,
} from './fixtures/plugins/fixture-apikey/sandbox/index.ts';
import { startTestHost, type TestActor, type TestHost } from './support/test-host.ts';

const REGISTRY = join(import.meta.dirname, 'fixtures', 'plugins', 'apikey.registry.json');

// Issue 14 "Auth kinds": an API key from a secret setting, a secret in a header template, and an
// account identity declared in the manifest (auth.account), so one store is one integration.
describe('auth type apiKey: the key and a secret header go to the shop only; one store, one integration', () => {
  let host: TestHost;
  let shop: FakeShop;
  let user: TestActor;
  let other: TestActor;
  let id: string;

  beforeAll(async () => {
    shop = await startSandbox();
    host = await startTestHost({
      registryPath: REGISTRY,
      role: 'all',
      configOverrides: new Map([['fixture-apikey', { FIXTURE_SHOP_URL: shop.url }]]),
      schedulerPollMs: 100,
    });
    host.plantSecret(SHOP_KEY);
    host.plantSecret(SHOP_TOKEN);
    user = await host.createActor({ role: 'tenant_admin', tenantId: (await host.createTenant()).id });
    other = await host.createActor({ role: 'tenant_admin', tenantId: (await host.createTenant()).id });
    ({ id } = await user.trpc.integrations.create.mutate({
      pluginId: 'fixture-apikey',
      settings: { storeUrl: 'https://Shop.example/', apiKey: SHOP_KEY, storeToken: SHOP_TOKEN },
    }));
  });
  afterAll(async () => {
    await host?.stop(); // fails if the key or the token reached the logs
    await shop?.close();
  });

  it('a sync sends the key and the secret header on every page, the next-page URL as given', async () => {
    const { runId } = await user.trpc.integrations.sync.mutate({ id });
    let run: { status: string; error: string | null } = { status: 'queued', error: null };
    for (let i = 0; i < 300 && !['succeeded', 'failed'].includes(run.status); i++) {
      await new Promise((r) => setTimeout(r, 50));
      run = await user.trpc.integrations.run.query({ runId });
    }
    expect(run).toMatchObject({ status: 'succeeded', error: null });
    // Each run reads both pages (connecting may have started one of its own already).
    const sent = { authorization: `Bearer ${SHOP_KEY}`, token: SHOP_TOKEN, store: 'https://Shop.example/' };
    const seen = shop.seen();
    expect(seen.length % 2).toBe(0);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    seen.forEach((request, n) => expect(request).toEqual({ url: `/orders?page=${(n % 2) + 1}`, ...sent }));
    const { invoices } = await user.trpc.invoices.list.query({ integrationId: id });
    expect(invoices).toHaveLength(4);
  });

  it('the key and the token are kept in the vault: not in the settings row, not in the API answer', async () => {
    const { rows } = await host.database.db.pool.query<{ settings: unknown; label: string; account: string }>(
      `select settings, label, external_account_id as account from integrations where id = $1`,
      [id],
    );
    expect(JSON.stringify(rows[0])).not.toContain(SHOP_KEY);
    expect(JSON.stringify(rows[0])).not.toContain(SHOP_TOKEN);
    // The store's address, written one way however it was typed, names the account and the label.
    expect(rows[0]).toMatchObject({
      account: 'https://shop.example',
      label: 'Fixture Shop (https://shop.example)',
    });
    const settings = await user.trpc.integrations.getSettings.query({ id });
    expect(JSON.stringify(settings)).not.toContain(SHOP_KEY);
    expect(JSON.stringify(settings)).not.toContain(SHOP_TOKEN);
  });

  it('the same store connected again is refused, in this organisation and in another one', async () => {
    const again = user.trpc.integrations.create.mutate({
      pluginId: 'fixture-apikey',
      settings: { storeUrl: 'https://shop.example', apiKey: 'another-key', storeToken: 'another-token' },
    });
    await expect(again).rejects.toThrow(
      "The account https://shop.example is already connected as 'Fixture Shop (https://shop.example)'; edit that integration instead.",
    );
    const elsewhere = other.trpc.integrations.create.mutate({
      pluginId: 'fixture-apikey',
      settings: { storeUrl: 'HTTPS://SHOP.EXAMPLE', apiKey: 'k', storeToken: 't' },
    });
    await expect(elsewhere).rejects.toThrow(
      'The marketplace account https://shop.example is already connected in another organisation on this host',
    );
    // Another store is another account.
    const second = await user.trpc.integrations.create.mutate({
      pluginId: 'fixture-apikey',
      settings: { storeUrl: 'https://second.example', apiKey: 'k2', storeToken: 't2' },
    });
    expect(second.id).not.toBe(id);
  });

  it("invoices follow the setting the manifest's switches name ('makeInvoices'), not a name the host knows", async () => {
    const { id: off } = await user.trpc.integrations.create.mutate({
      pluginId: 'fixture-apikey',
      settings: {
        storeUrl: 'https://third.example',
        apiKey: SHOP_KEY,
        storeToken: SHOP_TOKEN,
        makeInvoices: false,
      },
    });
    const { runId } = await user.trpc.integrations.sync.mutate({ id: off });
    let run: { status: string; counts: Record<string, number> } = { status: 'queued', counts: {} };
    for (let i = 0; i < 300 && !['succeeded', 'failed'].includes(run.status); i++) {
      await new Promise((r) => setTimeout(r, 50));
      run = await user.trpc.integrations.run.query({ runId });
    }
    expect(run.status).toBe('succeeded');
    const { invoices } = await user.trpc.invoices.list.query({ integrationId: off });
    expect(invoices).toHaveLength(0);
  });
});
