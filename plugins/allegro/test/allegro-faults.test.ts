import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestActor } from '@mch/host/testing';
import {
  allForms,
  connectAccount,
  sandboxState,
  startAllegroWorld,
  syncAndWait,
  type AllegroWorld,
} from './support.ts';

const control = async (world: AllegroWorld, path: string, body: unknown, method = 'POST') => {
  const response = await fetch(`${world.sandbox.controlUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${path} → ${response.status}: ${await response.text()}`);
  return response.json() as Promise<Record<string, unknown>>;
};

/** Syncs until a run succeeds: faults may fail a whole run (retries then continue where it stopped). */
async function syncUntilClean(user: TestActor, id: string) {
  for (let attempt = 0; attempt < 6; attempt++) {
    const run = await syncAndWait(user, id, 180_000);
    if (run.status === 'succeeded') return run;
  }
  throw new Error('no clean run in 6 manual syncs');
}

describe('Allegro with faults: 5xx, 429, duplicate, out-of-order and missing events, merged forms', () => {
  let world: AllegroWorld;
  let user: TestActor;
  let id: string;

  beforeAll(async () => {
    world = await startAllegroWorld({
      orders: 300,
      seed: 'faults',
      // 10% 5xx and 5% 429 at random (Retry-After 0 there: the bursts below make the host wait),
      // duplicate, out-of-order and missing events.
      faults: {
        errorRate: 0.1,
        rate429: 0.05,
        retryAfter429: 0,
        duplicateEvents: 0.3,
        outOfOrderEvents: 0.3,
        missingEvents: 0.2,
      },
    });
    const tenant = await world.host.createTenant();
    user = await world.host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
  });
  afterAll(() => world?.stop());

  it('ends in the same state as a fault-free run, each invoice uploaded once, no limit broken', async () => {
    // Connecting itself goes through faults too (the /me call retries on 5xx).
    id = await connectAccount(user, 0);
    await control(world, '/faults', { burst429: 4 }, 'PUT');
    await syncUntilClean(user, id);

    // Live trade while faults stay on: new orders (with events), merged forms, a 429 burst.
    await control(world, '/orders', { count: 40, account: 0 });
    const before = await allForms(world.sandbox, 0);
    const mergeable = before.filter((f) => f.status !== 'READY_FOR_PROCESSING').slice(0, 5);
    for (const form of mergeable) await control(world, '/merge', { checkoutFormId: form.id });
    await control(world, '/faults', { burst429: 6 }, 'PUT');
    await syncUntilClean(user, id);
    await syncUntilClean(user, id);

    const truth = (await allForms(world.sandbox, 0)).filter((f) => f.status === 'READY_FOR_PROCESSING');
    const { body } = await user.rest<{
      invoices: { externalOrderId: string; grossTotal: string }[];
      total: number;
    }>(`/api/v1/invoices?integrationId=${id}&limit=200`);
    let invoices = body.invoices;
    for (let offset = 200; invoices.length < body.total; offset += 200) {
      invoices = invoices.concat(
        (
          await user.rest<{ invoices: typeof invoices }>(
            `/api/v1/invoices?integrationId=${id}&limit=200&offset=${offset}`,
          )
        ).body.invoices,
      );
    }
    expect(invoices.map((i) => i.externalOrderId).sort()).toEqual(truth.map((f) => f.id).sort());
    const totals = new Map(truth.map((f) => [f.id, f.summary.totalToPay.amount]));
    for (const invoice of invoices) expect(invoice.grossTotal).toBe(totals.get(invoice.externalOrderId));

    const state = await sandboxState(world.sandbox);
    const uploads = state.effects.filter((e) => e.kind === 'invoice.file_uploaded').map((e) => e.target);
    const asked = (truth as unknown as { id: string; invoice: { required: boolean } }[]).filter(
      (f) => f.invoice.required,
    );
    expect(uploads.sort()).toEqual(asked.map((f) => f.id).sort());
    expect(new Set(uploads).size).toBe(uploads.length);
    expect(state.breaches).toBe(0);
  }, 600_000);
});
