import { describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  NO_SERVER,
  serverDatabaseUrl,
  expireTokenSoon,
  twoProcessAuthorizers,
} from '@mch/host/testing';
import { connectAccount, sandboxState, startAllegroWorld, syncAndWait, waitIdle } from './support.ts';

/**
 * Issue "Allegro plugin": two processes refreshing the same integration at once make one refresh
 * and the account stays connected. Against the sandbox's token endpoint, which rotates refresh
 * tokens and keeps the old one valid for a grace period — so without the host's lease both
 * refreshes would succeed and two would be counted. Needs PostgreSQL (two processes' pools).
 */
describe.skipIf(!serverDatabaseUrl())(
  `Allegro: two host processes refreshing one account at once${serverDatabaseUrl() ? '' : NO_SERVER}`,
  () => {
    it('refreshes once, both processes use the new token, and the account stays connected', async () => {
      // Two processes' pools on one database: a server database even without DATABASE_URL.
      const database = await createTestDatabase({ server: true });
      const world = await startAllegroWorld({
        orders: 20,
        seed: 'refresh',
        extra: { accounts: 1 },
        host: { database },
      }).catch(async (error: unknown) => {
        await database.close();
        throw error;
      });
      try {
        const tenant = await world.host.createTenant();
        const user = await world.host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
        const id = await connectAccount(user, 0);
        await waitIdle(user, id);
        const account = { tenantId: tenant.id, integrationId: id };
        const old = await expireTokenSoon(world.host, account);
        const processes = await twoProcessAuthorizers(world.host, {
          ...account,
          pluginId: 'allegro',
          config: world.overrides.get('allegro')!,
        });
        const tokenCalls = async () =>
          (await sandboxState(world.sandbox)).requests['POST /auth/oauth/token'] ?? 0;
        try {
          const before = await tokenCalls();
          const [a, b] = await Promise.all([processes.first.headers(), processes.second.headers()]);
          expect((await tokenCalls()) - before).toBe(1);
          expect(a).toEqual(b);
          expect(a).not.toEqual({ authorization: `Bearer ${old.accessToken}` });
          expect(processes.revoked).toEqual([]);

          // Connected: a sync through the host works with the rotated tokens, without refreshing again.
          const run = await syncAndWait(user, id);
          expect(run.status).toBe('succeeded');
          expect(await tokenCalls()).toBe(before + 1);
          const status = await user.rest<{ status: string }>(`/api/v1/allegro/status/${id}`);
          expect(status.body.status).toBe('active');
        } finally {
          await processes.close();
        }
      } finally {
        await world.stop();
        await database.close();
      }
    }, 120_000);
  },
);
