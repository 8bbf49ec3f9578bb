import { afterEach, describe, expect, it } from 'vitest';
import type { TestActor } from '@mch/host/testing';
import {
  allForms,
  connectAccount,
  sandboxConfig,
  sandboxState,
  sellerHeaders,
  startAllegroWorld,
  syncAndWait,
  type AllegroWorld,
} from './support.ts';

/**
 * The plugin against the sandbox as Allegro behaves today (reference/README.md, Corrections):
 * histories beyond the 10 000-result cap, lost answers to invoice creation, refused uploads, the
 * virus scan's verdict, and the client-wide 429 block.
 */
let world: AllegroWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

async function open(options: Parameters<typeof startAllegroWorld>[0], config: Record<string, string> = {}) {
  world = await startAllegroWorld({ ...options, extra: { accounts: 1, ...options.extra } });
  world.overrides.set('allegro', { ...sandboxConfig(world.sandbox), ...config });
  const tenant = await world.host.createTenant();
  const user = await world.host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
  const id = await connectAccount(user, 0);
  return { world, user, id };
}

interface FullForm {
  id: string;
  status: string;
  invoice: { required: boolean };
}

/** Invoices created, files uploaded and uploads refused, per order, from the sandbox's ledger. */
async function effectsByOrder(w: AllegroWorld) {
  const state = await sandboxState(w.sandbox);
  const of = (kind: string) => state.effects.filter((e) => e.kind === kind).map((e) => e.target ?? '');
  return {
    created: of('invoice.created'),
    uploaded: of('invoice.file_uploaded'),
    refused: of('invoice.refused'),
    state,
  };
}

const outboundRows = async (w: AllegroWorld, integrationId: string) =>
  (
    await w.host.database.db.pool.query<{
      idempotency_key: string;
      status: string;
      last_error: string | null;
    }>(
      `select idempotency_key, status, last_error from outbound_operations where integration_id = $1 and kind = 'invoice-upload'`,
      [integrationId],
    )
  ).rows;

const invoiceCount = async (w: AllegroWorld, integrationId: string) =>
  Number(
    (
      await w.host.database.db.pool.query<{ n: string }>(
        'select count(*) as n from invoices where integration_id = $1',
        [integrationId],
      )
    ).rows[0]!.n,
  );

async function expectOnePerAskingOrder(w: AllegroWorld, user: TestActor, integrationId: string) {
  const ready = ((await allForms(w.sandbox, 0)) as unknown as FullForm[]).filter(
    (f) => f.status === 'READY_FOR_PROCESSING',
  );
  const asked = ready
    .filter((f) => f.invoice.required)
    .map((f) => f.id)
    .sort();
  expect(asked.length).toBeGreaterThan(5);
  const { created, uploaded, refused } = await effectsByOrder(w);
  // Exactly one invoice and one file per order that asked for one; nothing offered to the others.
  expect(created.sort()).toEqual(asked);
  expect(uploaded.sort()).toEqual(asked);
  expect(refused).toEqual([]);
  const rows = await outboundRows(w, integrationId);
  const done = rows
    .filter((r) => r.status === 'succeeded')
    .map((r) => r.idempotency_key)
    .sort();
  expect(done).toEqual(asked);
  const notAsked = rows.filter((r) => r.status === 'dead');
  expect(notAsked.length).toBe(ready.length - asked.length);
  for (const row of notAsked) expect(row.last_error).toMatch(/did not ask for an invoice/);
  const { body } = await user.rest<{ total: number }>(
    `/api/v1/invoices?integrationId=${integrationId}&limit=1`,
  );
  expect(body.total).toBe(ready.length);
}

describe('Allegro plugin against the corrected sandbox', () => {
  it('completes a first sync of 12 000 orders, reading past the 10 000-result cap in updatedAt windows', async () => {
    const {
      world: w,
      user,
      id,
    } = await open(
      { orders: 12_000, seed: 'deep', rateLimit: false, host: { logLevel: 'info' } },
      { ALLEGRO_RATE_LIMIT_PER_MINUTE: '100000000' },
    );
    // The import is what this test is about: it waits for the sync run, not for the uploads after it.
    const { body } = await user.rest<{ runId: string }>(`/api/v1/allegro/sync/${id}`, {
      method: 'POST',
      body: {},
    });
    let run: { status: string; error: string | null } = { status: 'queued', error: null };
    for (let i = 0; i < 2400 && run.status !== 'succeeded' && run.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      run = await user.trpc.integrations.run.query({ runId: body.runId });
    }
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    const state = await sandboxState(w.sandbox);
    const truth = await fetch(`${w.sandbox.url}/order/checkout-forms?limit=1&status=READY_FOR_PROCESSING`, {
      headers: await sellerHeaders(w.sandbox, 0),
    });
    const ready = ((await truth.json()) as { totalCount: number }).totalCount;
    expect(ready).toBeGreaterThan(8_000);
    expect(await invoiceCount(w, id)).toBe(ready);
    // Every list request stayed within the cap: no 422 (a failed request would have failed the run).
    expect(state.requests['GET /order/checkout-forms']).toBeGreaterThan(120);
  }, 300_000);

  it('ends a lost answer to an invoice POST with exactly one invoice and one file per asking order', async () => {
    const {
      world: w,
      user,
      id,
    } = await open({
      orders: 80,
      seed: 'lost',
      faults: { lostAnswers: 4, lostAnswerRoutes: ['POST /order/checkout-forms/:id/invoices'] },
    });
    const run = await syncAndWait(user, id);
    expect(run.status).toBe('succeeded');
    await syncAndWait(user, id); // whatever a failed upload run left is retried
    expect(
      ((await (await fetch(`${w.sandbox.controlUrl}/faults`)).json()) as { lostAnswers: number }).lostAnswers,
    ).toBe(0);
    await expectOnePerAskingOrder(w, user, id);
  }, 180_000);

  it('records a file Allegro’s virus scan rejected against its invoice, not as delivered; the others go on', async () => {
    const { world: w, user, id } = await open({ orders: 80, seed: 'scan', faults: { rejectFiles: 0.3 } });
    const run = await syncAndWait(user, id);
    expect(run.status).toBe('succeeded');
    const runs = (await user.trpc.integrations.runs.query({ id, limit: 10 })) as { status: string }[];
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    const { state } = await effectsByOrder(w);
    const verdicts = new Map(
      state.effects
        .filter((e) => e.kind === 'invoice.file_uploaded')
        .map((e) => [e.target ?? '', (e as { data?: { verdict?: string } }).data?.verdict]),
    );
    const rows = new Map((await outboundRows(w, id)).map((r) => [r.idempotency_key, r]));
    const rejected = [...verdicts].filter(([, v]) => v === 'REJECTED').map(([k]) => k);
    const accepted = [...verdicts].filter(([, v]) => v === 'ACCEPTED').map(([k]) => k);
    expect(rejected.length).toBeGreaterThan(0);
    expect(accepted.length).toBeGreaterThan(0);
    for (const order of rejected) {
      expect(rows.get(order)?.status).toBe('dead');
      expect(rows.get(order)?.last_error).toMatch(/virus scan rejected/);
    }
    for (const order of accepted) expect(rows.get(order)?.status).toBe('succeeded');
  }, 180_000);

  it('stops sending during a 429 block instead of retrying into it, and finishes the sync', async () => {
    // The host believes in 6 000 requests a minute; the sandbox allows 30 a second, then blocks.
    const {
      world: w,
      user,
      id,
    } = await open(
      { orders: 400, seed: 'block', extra: { rateLimit: { limit: 30, windowMs: 1000, blockMs: 1500 } } },
      { ALLEGRO_RATE_LIMIT_PER_MINUTE: '6000' },
    );
    await syncAndWait(user, id);
    await fetch(`${w.sandbox.controlUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 150 }),
    });
    const before = (await sandboxState(w.sandbox)).breaches;
    const run = await syncAndWait(user, id);
    expect(run.status).toBe('succeeded');
    const state = await sandboxState(w.sandbox);
    const sent = Object.entries(state.requests)
      .filter(([route]) => !route.startsWith('POST /auth'))
      .reduce((n, [, c]) => n + c, 0);
    // Each block is hit only by the requests already on their way (a few), not retried into.
    expect(state.breaches - before).toBeGreaterThan(0);
    expect(state.breaches - before).toBeLessThan(sent / 10);
    const ready = ((await allForms(w.sandbox, 0)) as unknown as FullForm[]).filter(
      (f) => f.status === 'READY_FOR_PROCESSING',
    );
    expect(await invoiceCount(w, id)).toBe(ready.length);
  }, 240_000);
});
