import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestActor } from '@mch/host/testing';
import {
  connect,
  eventually,
  ROMANIAN_SELLER,
  startEmagWorld,
  syncAndWait,
  type EmagWorld,
} from './support.ts';

/**
 * A flow switched off in the settings stays off (manifest: a job's `flow` — "switching the flow off
 * skips the job"; emag manifest `flows[orders].setting = importOrders`): the seller who turns order
 * import off gets no orders read and no invoices issued, on the schedule or by hand, until they
 * turn it on again. Found by the products journey: with `importOrders: false` the scheduled
 * sync-orders run still imported and invoiced the sandbox's orders.
 */
describe('eMAG flows switched off in the settings', () => {
  let world: EmagWorld;
  let user: TestActor;

  beforeAll(async () => {
    world = await startEmagWorld({ orders: 6 });
    const tenant = await world.host.createTenant(undefined, ROMANIAN_SELLER);
    user = await world.host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
  });
  afterAll(() => world?.stop());

  const scheduledJobs = async (integrationId: string) =>
    (
      await world.host.database.db.pool.query<{ job: string }>(
        `select data->>'jobId' as job from agenda_jobs
          where data->>'trigger' = 'schedule' and data->>'integrationId' = $1 order by 1`,
        [integrationId],
      )
    ).rows.map((r) => r.job);
  /** Orders made into invoices (the ledger keys each order's invoice by the eMAG order). */
  const orderCount = async (integrationId: string) =>
    (
      await world.host.database.db.pool.query<{ n: number }>(
        "select count(*)::int as n from external_records where integration_id = $1 and kind = 'invoice'",
        [integrationId],
      )
    ).rows[0]!.n;

  it('does not schedule or run order import while it is off, and does once it is on', async () => {
    const id = await connect(user, 'ro-main', { importOrders: false, syncReturns: false });
    // Offers stay on: their jobs are scheduled (and run at once), the orders' and returns' are not.
    expect(await scheduledJobs(id)).toEqual(['push-offers', 'sync-offers']);
    const manual = await user.rest<{ error: { message: string } }>(`/api/v1/emag/sync/${id}`, {
      method: 'POST',
      body: { jobId: 'sync-orders' },
    });
    expect(manual.status).toBe(412);
    expect(manual.body.error.message).toBe(
      "'Orders to invoices' is switched off in this integration's settings, so 'Sync orders, acknowledge, attach invoices' does not run; switch it on first.",
    );
    // The offers read that ran at once finished; no order was read meanwhile.
    await eventually(async () => {
      const runs = (await user.trpc.integrations.runs.query({ id })) as {
        jobId: string;
        finishedAt: string | null;
      }[];
      return runs.some((r) => r.jobId === 'sync-offers' && r.finishedAt) ? true : undefined;
    });
    expect(await orderCount(id)).toBe(0);

    await user.trpc.integrations.updateSettings.mutate({ id, settings: { importOrders: true } });
    expect(await scheduledJobs(id)).toEqual(['push-offers', 'sync-offers', 'sync-orders']);
    // Scheduled anew, it runs at once; a manual run queues behind it.
    const run = await syncAndWait(user, id, { jobId: 'sync-orders' });
    expect(run.status).toBe('succeeded');
    expect(await orderCount(id)).toBe(6);

    // And off again: the job leaves the schedule.
    await user.trpc.integrations.updateSettings.mutate({ id, settings: { importOrders: false } });
    expect(await scheduledJobs(id)).toEqual(['push-offers', 'sync-offers']);
  });
});
