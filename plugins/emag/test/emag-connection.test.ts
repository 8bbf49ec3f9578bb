import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestActor } from '@mch/host/testing';
import {
  connect,
  credentials,
  ROMANIAN_SELLER,
  sandboxState,
  setFaults,
  startEmagWorld,
  type EmagWorld,
} from './support.ts';

/** Test connection tells a wrong password, a blocked IP and the rate limit apart, in a seller's words. */
describe('eMAG test connection', () => {
  let world: EmagWorld;
  let user: TestActor;
  // No flow runs on a schedule here: only the connection tests talk to the sandbox.
  const quiet = { importOrders: false, syncReturns: false };

  beforeAll(async () => {
    world = await startEmagWorld({ orders: 20 });
    const tenant = await world.host.createTenant(undefined, ROMANIAN_SELLER);
    user = await world.host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
  });
  afterAll(() => world?.stop());

  const test = (integrationId: string) =>
    user.rest<{ status: string; connected: boolean; message: string; details?: { reason?: string } }>(
      '/api/v1/emag/integration/test-connection',
      { method: 'POST', body: { integrationId } },
    );

  it('works with the right credentials on the right platform', async () => {
    const id = await connect(user, 'hu-main', quiet);
    const result = await test(id);
    expect(result.body).toMatchObject({ status: 'success', connected: true });
    expect(result.body.message).toMatch(/Connected to eMAG \(HU\)/);
  });

  it('refuses a wrong password at connect, keeps nothing, and says so in words', async () => {
    const before = (await user.trpc.integrations.list.query()).length;
    const refused = await connect(user, 'bg-main', { ...quiet, password: 'not-the-password' }).catch(
      (e: unknown) => e as TRPCClientError<never>,
    );
    expect(refused).toBeInstanceOf(TRPCClientError);
    expect((refused as TRPCClientError<never>).message).toBe(
      'Not connected: eMAG did not accept the username or password. Check the API user and its password in the eMAG seller portal, then save them again.',
    );
    expect((await user.trpc.integrations.list.query()).length).toBe(before);
  });

  it('a wrong new password is not saved; a right one brings an account needing re-auth back at once', async () => {
    const id = await connect(user, 'bg-main', quiet);
    const saveFails = await user.trpc.integrations.updateSettings
      .mutate({ id, settings: { ...credentials('bg-main'), ...quiet, password: 'typo' } })
      .catch((e: unknown) => e as Error);
    expect((saveFails as Error).message).toMatch(/^Not saved: eMAG did not accept the username or password/);
    // The working password was put back.
    expect((await test(id)).body.connected).toBe(true);

    // eMAG stopped taking the password (changed in its portal): the host marked it.
    await world.host.database.db.pool.query(
      `update integrations set status = 'needs_reauth', status_reason = 'eMAG refused the saved password.' where id = $1`,
      [id],
    );
    const saved = await user.trpc.integrations.updateSettings.mutate({
      id,
      settings: { ...credentials('bg-main'), ...quiet },
    });
    expect(saved.connection).toMatchObject({ verdict: 'connected' });
    const status = await user.trpc.integrations.status.query({ id });
    expect(status).toMatchObject({ status: 'active', statusReason: null });
  });

  it("says the server's IP is not whitelisted", async () => {
    const id = await connect(user, 'ro-fbe', quiet);
    await setFaults(world.sandbox, { ipNotWhitelisted: true });
    try {
      const result = await test(id);
      expect(result.body.connected).toBe(false);
      expect(result.body.details?.reason).toBe('ip-not-whitelisted');
      expect(result.body.message).toMatch(/IP address.*whitelist/);
    } finally {
      await setFaults(world.sandbox, { ipNotWhitelisted: false });
    }
  });

  it("says eMAG's rate limit is used up", async () => {
    const id = await connect(user, 'fdro-main', quiet);
    // Generous: other integrations' background syncs draw from the same burst.
    await setFaults(world.sandbox, { burst429: 400 });
    try {
      const result = await test(id);
      expect(result.body.connected, JSON.stringify(result.body)).toBe(false);
      expect(result.body.details?.reason).toBe('rate-limited');
      expect(result.body.message).toMatch(/request limit/);
    } finally {
      await setFaults(world.sandbox, { burst429: 0 });
    }
    // Our own pace never breached the limit; the 429s were the sandbox's fault switch.
    expect((await sandboxState(world.sandbox)).breaches).toBe(0);
  }, 60_000);

  it('shares one budget between integrations of the same eMAG account, even of two tenants', async () => {
    const other = await world.host.createTenant(undefined, ROMANIAN_SELLER);
    const otherUser = await world.host.createActor({ role: 'tenant_admin', tenantId: other.id });
    const mine = await connect(user, 'ro-main', quiet);
    // One account works for one tenant at a time (issue 11): the other tenant is refused while
    // it is active here, and may take it over once it is disabled here.
    await expect(connect(otherUser, 'ro-main', quiet)).rejects.toThrow(
      /already connected in another organisation/,
    );
    await user.trpc.integrations.deactivate.mutate({ id: mine });
    const theirs = await connect(otherUser, 'ro-main', quiet);
    const before = await sandboxState(world.sandbox);
    const started = Date.now();
    const calls = [
      ...Array.from({ length: 15 }, () => test(mine)),
      ...Array.from({ length: 15 }, () =>
        otherUser.rest<{ connected: boolean }>('/api/v1/emag/integration/test-connection', {
          method: 'POST',
          body: { integrationId: theirs },
        }),
      ),
    ];
    const results = await Promise.all(calls);
    const elapsed = Date.now() - started;
    for (const r of results) expect(r.body.connected).toBe(true);
    const after = await sandboxState(world.sandbox);
    expect(after.breaches).toBe(before.breaches);
    // 30 requests at 12/s at most, evenly spaced: at least 29/12 s.
    expect(elapsed).toBeGreaterThanOrEqual((29 / 12) * 1000 * 0.95);
  }, 60_000);
});
