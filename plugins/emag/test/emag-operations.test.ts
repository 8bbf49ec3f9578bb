import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestActor } from '@mch/host/testing';
import {
  allOrders,
  connect,
  eventually,
  invoicesOf,
  ROMANIAN_SELLER,
  sandboxState,
  startEmagWorld,
  syncAndWait,
  type EmagWorld,
} from './support.ts';

interface ReturnView {
  id: number;
  orderId: number;
  status: number;
}

/** Cancellations, returns, the new-order callback and the seed's endpoints, on one RO account. */
describe('eMAG operations: cancel, RMA moves, new-order callback, seed endpoints', () => {
  let world: EmagWorld;
  let user: TestActor;
  let id: string;

  const action = (name: string, input: unknown) =>
    user.rest<{
      success?: boolean;
      result?: Record<string, unknown>;
      error?: { code: string; message: string };
    }>(`/api/v1/emag/actions/${id}/${name}`, { method: 'POST', body: input });

  beforeAll(async () => {
    // 440 orders: the newest return request is still new (status 2), older ones are closed.
    world = await startEmagWorld({ orders: 440 });
    const tenant = await world.host.createTenant(undefined, ROMANIAN_SELLER);
    user = await world.host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
    id = await connect(user, 'ro-main');
    const run = await syncAndWait(user, id);
    expect(run.error).toBeNull();
  }, 600_000);
  afterAll(() => world?.stop());

  it('serves the seed endpoints: status, flows, configuration and test connection', async () => {
    const status = await user.rest<{ integration_status: { connected: boolean; supported_flows: string[] } }>(
      '/api/v1/emag/integration/status',
    );
    expect(status.status).toBe(200);
    expect(status.body.integration_status.connected).toBe(true);
    expect(status.body.integration_status.supported_flows).toEqual([
      'orders',
      'acknowledge',
      'invoices',
      'returns',
      'cancellations',
      'offers',
    ]);
    const flows = await user.rest<{ flows: { id: string; direction: string }[] }>(
      '/api/v1/emag/integration/flows',
    );
    expect(flows.body.flows.map((f) => f.id)).toContain('cancellations');
    const config = await user.rest<{
      configuration: { environment: { env: string }[]; rateLimits: unknown[] };
    }>('/api/v1/emag/integration/configuration');
    expect(config.body.configuration.environment.map((e) => e.env)).toContain('EMAG_BASE_URL');
    expect(config.body.configuration.rateLimits).toHaveLength(2);
    const test = await user.rest<{ connected: boolean; message: string }>(
      '/api/v1/emag/integration/test-connection',
      { method: 'POST', body: { account_type: 'main' } },
    );
    expect(test.body.connected).toBe(true);
    expect(test.body.message).toMatch(/Connected to eMAG \(RO\)/);
    const trpc = await user.trpc.integrations.testConnection.mutate({ id });
    expect(trpc.ok).toBe(true);
  });

  it('cancels an order with a reason code once; its invoice gets one correction to zero', async () => {
    const orders = await allOrders(world.sandbox, 'ro-main');
    const target = orders.find((o) => o.status === 3 || o.status === 2)!;
    expect(target).toBeDefined();
    const refused = await action('cancel-order', { orderId: String(target.id), reason: 10 });
    expect(refused.status).toBe(400);
    // Not one of eMAG's reasons: refused by the manifest's list (an enum), pointing at the field.
    expect(JSON.stringify(refused.body.error)).toMatch(/reason/);
    const invalid = await action('cancel-order', { orderId: 'abc', reason: 2 });
    expect(invalid.status).toBe(400);

    const first = await action('cancel-order', { orderId: String(target.id), reason: 2 });
    expect(first.status, first.text).toBe(200);
    expect(first.body.result).toMatchObject({ outcome: 'done', status: 0 });
    const again = await user.trpc.integrations.action.mutate({
      id,
      action: 'cancel-order',
      input: { orderId: String(target.id), reason: 2 },
    });
    expect(again).toMatchObject({ outcome: 'already-done' });

    const state = await sandboxState(world.sandbox);
    const cancelled = state.effects.filter(
      (e) => e.kind === 'order.cancelled' && e.target === String(target.id),
    );
    expect(cancelled).toHaveLength(1);
    // The issued invoice is never edited: a correction to zero is issued beside it (issue 21).
    const documents = (await invoicesOf(user, id)).filter((i) => i.externalOrderId === String(target.id));
    expect(documents.map((d) => d.status)).toEqual(['issued', 'issued']);
    expect(documents.reduce((sum, d) => sum + Math.round(Number(d.grossTotal) * 100), 0)).toBe(0);
  });

  it('syncs returns, refuses forbidden moves before any save, and moves one through 2 → 3 → 6 → 7 once each', async () => {
    const run = await syncAndWait(user, id, { jobId: 'sync-returns' });
    expect(run.status).toBe('succeeded');
    const listed = await action('list-returns', {});
    const returns = (listed.body.result as { returns: ReturnView[] }).returns;
    expect(returns.length).toBeGreaterThan(0);
    const moved = returns.find((r) => r.status === 2)!;
    const closed = returns.find((r) => r.status === 7)!;
    expect(moved).toBeDefined();
    expect(closed).toBeDefined();

    const before = await sandboxState(world.sandbox);
    const saves = before.requests['POST /:platform/api-3/rma/save'] ?? 0;
    const skipping = await action('move-return', { rmaId: moved.id, status: 7 });
    expect(skipping.status).toBe(409);
    expect(skipping.body.error?.message).toMatch(
      /^A new return cannot be finalised; it can only be approved or cancelled\. eMAG lets a seller/,
    );
    const reopening = await action('move-return', { rmaId: closed.id, status: 3 });
    expect(reopening.status).toBe(409);
    expect(reopening.body.error?.message).toMatch(
      /^A finalized return cannot be approved; nothing more can be done with it\./,
    );
    const nowhere = await action('move-return', { rmaId: closed.id, status: 2 });
    expect(nowhere.status).toBe(409);
    expect(nowhere.body.error?.message).toMatch(
      /^A seller cannot set a return to “new”: eMAG lets a seller approve/,
    );
    const refusedState = await sandboxState(world.sandbox);
    // Refused before any save; `status: 2` (reachable from nowhere) even before reading the return.
    expect(refusedState.requests['POST /:platform/api-3/rma/save'] ?? 0).toBe(saves);
    expect(refusedState.requests['POST /:platform/api-3/rma/read']).toBe(
      before.requests['POST /:platform/api-3/rma/read']! + 2,
    );

    for (const status of [3, 6, 7]) {
      const response = await action('move-return', { rmaId: moved.id, status });
      expect(response.status, response.text).toBe(200);
      expect(response.body.result).toMatchObject({ outcome: 'done', to: status });
    }
    const repeat = await action('move-return', { rmaId: moved.id, status: 7 });
    expect(repeat.body.result).toMatchObject({ outcome: 'already-done' });

    const after = await sandboxState(world.sandbox);
    const effects = after.effects.filter((e) => e.kind === 'rma.status_changed');
    expect(effects.filter((e) => e.target === String(moved.id)).map((e) => e.data)).toEqual([
      { from: 2, to: 3 },
      { from: 3, to: 6 },
      { from: 6, to: 7 },
    ]);
    expect(effects.filter((e) => e.target === String(closed.id))).toEqual([]);
    const shown = (await action('list-returns', { status: 7 })).body.result as { returns: ReturnView[] };
    expect(shown.returns.map((r) => r.id)).toContain(moved.id);
  });

  it('pulls a new order at once when eMAG calls the integration’s callback URL', async () => {
    const status = await user.trpc.integrations.status.query({ id });
    const hook = status.webhooks.find((w) => w.id === 'new-order');
    expect(hook?.url).toMatch(new RegExp(`/api/v1/webhooks/${id}/new-order/[A-Za-z0-9_-]{20,}$`));
    const forged = await fetch(hook!.url.replace(/[A-Za-z0-9_-]{5}$/, 'xxxxx') + '?order_id=1');
    expect(forged.status).toBe(404);

    await fetch(`${world.sandbox.controlUrl}/callback`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: hook!.url }),
    });
    const placed = (await (
      await fetch(`${world.sandbox.controlUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ account: 'ro-main', count: 1 }),
      })
    ).json()) as { orders: number[] };
    const orderId = String(placed.orders[0]);
    const invoice = await eventually(async () =>
      (await invoicesOf(user, id)).find((i) => i.externalOrderId === orderId),
    );
    expect(invoice.currency).toBe('RON');
    const state = await eventually(async () => {
      const s = await sandboxState(world.sandbox);
      return s.effects.some((e) => e.kind === 'order.attachment_saved' && e.target === orderId)
        ? s
        : undefined;
    });
    expect(state.effects.filter((e) => e.kind === 'order.acknowledged' && e.target === orderId)).toHaveLength(
      1,
    );
    expect(state.breaches, JSON.stringify({ byKey: state.breachesByKey, requests: state.requests })).toBe(0);
  });

  it('updates settings, deactivates, and keeps the password write-only', async () => {
    const put = await user.rest(`/api/v1/emag/settings/${id}`, {
      method: 'PUT',
      body: { settings: { syncFrequencyMinutes: 30 } },
    });
    expect(put.status, put.text).toBe(200);
    const got = await user.rest<{ settings: Record<string, unknown>; secretsSet: string[] }>(
      `/api/v1/emag/settings/${id}`,
    );
    expect(got.body.settings.syncFrequencyMinutes).toBe(30);
    expect(got.body.settings.password).toBeUndefined();
    expect(got.body.secretsSet).toContain('password');
    const unknown = await action('refund-everything', {});
    expect(unknown.status).toBe(404);
    const switchedOff = await user.rest(`/api/v1/emag/settings/${id}`, {
      method: 'PUT',
      body: { settings: { allowCancellations: false } },
    });
    expect(switchedOff.status, switchedOff.text).toBe(200);
    const refusedCancel = await action('cancel-order', { orderId: '2200000011', reason: 2 });
    expect(refusedCancel.status).toBe(412);
    expect(refusedCancel.body.error?.message).toMatch(/Order cancellations.*switched off/);
    const off = await user.rest<{ status: string }>(`/api/v1/emag/deactivate/${id}`, {
      method: 'POST',
      body: {},
    });
    expect(off.body.status).toBe('disabled');
    const refused = await action('list-returns', {});
    expect(refused.status).toBe(412);
  });
});
