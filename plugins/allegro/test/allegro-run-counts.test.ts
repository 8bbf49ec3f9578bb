// Runs whose counts add up (issue 13): each order a run saw is counted once — created, updated,
// unchanged or skipped — however often it came (an event, then the sweep that follows it), every
// skip carries its reason ("not paid yet"), the live progress never passes its total, and the
// upload the host starts after an orders sync says so instead of passing for one started by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestActor } from '@mch/host/testing';
import {
  allForms,
  connectAccount,
  startAllegroWorld,
  syncAndWait,
  waitIdle,
  type AllegroWorld,
} from './support.ts';

interface Run {
  id: string;
  jobId: string;
  trigger: string;
  follows: string | null;
  status: string;
  counts: Record<string, number>;
  skipped: Record<string, number>;
  progress: { done: number; total: number | null };
  startedAt: string;
}

const OUTCOMES = ['created', 'updated', 'unchanged', 'skipped'];
const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

function expectCountsAddUp(run: Run): void {
  const outcomes = sum(OUTCOMES.map((name) => run.counts[name] ?? 0));
  expect(outcomes, JSON.stringify(run.counts)).toBe(run.counts.orders);
  expect(sum(Object.values(run.skipped))).toBe(run.counts.skipped ?? 0);
  if (run.progress.total !== null) expect(run.progress.done).toBeLessThanOrEqual(run.progress.total);
}

describe('Allegro runs that add up (issue 13)', () => {
  let world: AllegroWorld;
  let user: TestActor;
  let id: string;

  const runs = async () => (await user.trpc.integrations.runs.query({ id, limit: 20 })) as unknown as Run[];
  const lastOrdersRun = async () =>
    (await runs()).find((r) => r.jobId === 'sync-orders' && r.status === 'succeeded')!;

  beforeAll(async () => {
    world = await startAllegroWorld({ orders: 200, seed: 'counts' });
    const tenant = await world.host.createTenant();
    user = await world.host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
    id = await connectAccount(user, 0);
    await waitIdle(user, id);
  });
  afterAll(() => world?.stop());

  it('counts each order once with the reason of each skip, and labels the upload it starts', async () => {
    // The first run after connecting reads every order (no event cursor yet).
    const full = (await runs())
      .filter((r) => r.jobId === 'sync-orders' && r.status === 'succeeded')
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt))[0]!;
    const forms = await allForms(world.sandbox, 0);
    expect(full.counts.orders).toBe(forms.length);
    expectCountsAddUp(full);
    const unpaid = forms.filter((f) => f.status === 'BOUGHT' || f.status === 'FILLED_IN').length;
    expect(unpaid).toBeGreaterThan(0);
    expect(full.skipped['not paid yet']).toBe(unpaid);
    for (const reason of Object.keys(full.skipped)) expect(reason).toMatch(/^[a-z][a-z ,':]+$/);

    const uploads = (await runs()).filter((r) => r.jobId === 'upload-invoices');
    expect(uploads.length).toBeGreaterThan(0);
    // Uploads run on their own schedule too; none passes for one a person started.
    expect(uploads.map((u) => u.trigger)).not.toContain('manual');
    expect(uploads).toContainEqual(expect.objectContaining({ trigger: 'follow_up', follows: 'Sync orders' }));
  });

  it('an order brought by an event and again by the sweep is counted once', async () => {
    const added = await fetch(`${world.sandbox.url}/__sandbox/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account: 0, count: 40 }),
    });
    expect(added.status).toBe(201);
    const before = (await allForms(world.sandbox, 0)).length;
    await syncAndWait(user, id);
    const run = await lastOrdersRun();
    expectCountsAddUp(run);
    // The new orders came as events and in the sweep's overlap; each counts once.
    expect(run.counts.orders).toBeLessThanOrEqual(before);
    expect(run.counts.orders).toBeGreaterThanOrEqual(40);
  });
});
