import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestActor } from '@mch/host/testing';
import { connect, ROMANIAN_SELLER, startEmagWorld, syncAndWait, type EmagWorld } from './support.ts';

/**
 * Linking conflicts (issue 15: "linked to each marketplace's offer by part number, EAN or SKU;
 * conflicts shown"): an offer whose keys match more than one product is not linked to any, and
 * says which key matched which product; once the products are told apart it links on the next read.
 * Two eMAG accounts of one seller list the same catalogue (the sandbox's catalogue is the same
 * per platform: part numbers and EANs by position, sandbox/catalog.ts).
 */
describe('eMAG offers that match more than one product', () => {
  let world: EmagWorld;
  let user: TestActor;

  beforeAll(async () => {
    world = await startEmagWorld({ orders: 0, seed: 'conflicts', extra: { offers: 4 } });
    const tenant = await world.host.createTenant(undefined, ROMANIAN_SELLER);
    user = await world.host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
  }, 60_000);
  afterAll(async () => world?.stop());

  const product = async (q: string) => {
    const [found] = (await user.trpc.products.list.query({ q })).products;
    if (!found) throw new Error(`no product matches ${q}`);
    return found;
  };

  it('shows the conflict with the keys that matched, and links once the products differ', async () => {
    const main = await connect(user, 'ro-main', { importOrders: false, syncReturns: false });
    expect((await syncAndWait(user, main, { jobId: 'sync-offers' })).status).toBe('succeeded');
    const products = (await user.trpc.products.list.query({ limit: 10 })).products;
    expect(products).toHaveLength(4);
    const [first, second] = [...products].sort((a, b) => (a.partNumber! < b.partNumber! ? -1 : 1));
    // The second product takes the first one's EAN (a typo a seller can make).
    const ownEan = second!.ean;
    await user.trpc.products.update.mutate({ changes: [{ id: second!.id, ean: first!.ean }] });

    // The other account's copy of the first offer now matches both products.
    const other = await connect(user, 'ro-fbe', { importOrders: false, syncReturns: false });
    expect((await syncAndWait(user, other, { jobId: 'sync-offers' })).status).toBe('succeeded');
    const conflicts = await user.trpc.products.conflicts.query();
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ integrationId: other, linkState: 'conflict' });
    expect(conflicts[0]!.linkNote).toBe(
      `Matches 2 products: part number ${first!.partNumber} and EAN ${first!.ean} and SKU ${first!.sku}; EAN ${first!.ean}. Give each product its own part number, EAN and SKU.`,
    );
    // Not linked to either: nothing of that account is pushed to the wrong product.
    expect((await product(first!.partNumber!)).offers.map((o) => o.integrationId)).toEqual([main]);
    // The other offers of that account link as usual.
    expect((await product(second!.partNumber!)).offers.map((o) => o.integrationId).sort()).toEqual(
      [main, other].sort(),
    );

    await user.trpc.products.update.mutate({ changes: [{ id: second!.id, ean: ownEan }] });
    expect((await syncAndWait(user, other, { jobId: 'sync-offers' })).status).toBe('succeeded');
    expect(await user.trpc.products.conflicts.query()).toEqual([]);
    expect((await product(first!.partNumber!)).offers.map((o) => o.integrationId).sort()).toEqual(
      [main, other].sort(),
    );
  }, 120_000);
});
