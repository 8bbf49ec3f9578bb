import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import {
  createTestDatabase,
  type TestDatabase,
  NO_SERVER,
  serverDatabaseUrl,
  startTestHost,
  type TestActor,
  type TestHost,
} from '@mch/host/testing';
import { hostSpawner } from './host-process.ts';
import {
  allOrders,
  connect,
  emagConfig,
  eventually,
  invoicesOf,
  ROMANIAN_SELLER,
  ROOT_REGISTRY,
  sandboxState,
  setFaults,
  waitForRun,
} from './support.ts';

interface Doc {
  id: string;
  type: string;
  number: string;
  corrects: string | null;
  correctedBy: string[];
  totals: { net: string; vat: string; gross: string };
  correction?: { kind: string };
}

const ORDERS = 300;
const ATTACH_ROUTE = 'POST /:platform/api-3/order/attachments/save';
const cents = (amount: string) => Math.round(Number(amount) * 100);

/**
 * Issue 21, "a cancellation after issue → one zero correction, delivered once across a SIGKILL":
 * a real `host start` process syncs and invoices the orders; an invoiced order is cancelled (the
 * `cancel-order` action); the next sync attaches the correction to the order while eMAG does not
 * answer (the sandbox hangs `order/attachments/save`), and the process is SIGKILLed in the middle
 * of it. A new process takes the stale claim over: one correction to zero, attached once, and no
 * sync after that sends it again. Needs real PostgreSQL: the processes share the database.
 */
describe.skipIf(!serverDatabaseUrl())(
  `eMAG: correction of a cancelled invoice delivered once across a crash${serverDatabaseUrl() ? '' : NO_SERVER}`,
  () => {
    let database: TestDatabase;
    let sandbox: RunningSandbox;
    let api: TestHost;
    let user: TestActor;
    let spawner: ReturnType<typeof hostSpawner>;

    beforeAll(async () => {
      database = await createTestDatabase({ server: true });
      sandbox = await startSandbox({
        orders: ORDERS,
        seed: 'correction-crash',
        extra: { now: '2026-11-20T12:00:00Z' },
      });
      // The API host runs the actions (cancel-order), so it too is pointed at the sandbox; syncs
      // (and the attachments) run in the spawned `host start` processes.
      api = await startTestHost({
        registryPath: ROOT_REGISTRY,
        role: 'api',
        database,
        configOverrides: new Map([['emag', emagConfig(sandbox)]]),
      });
      const tenant = await api.createTenant(undefined, ROMANIAN_SELLER);
      user = await api.createActor({ role: 'tenant_admin', tenantId: tenant.id });
      spawner = hostSpawner({ databaseUrl: database.url!, api, sandbox });
    }, 60_000);
    afterAll(async () => {
      spawner?.stopAll();
      await api?.stop();
      await sandbox?.close();
      await database?.close();
    });

    const state = () => sandboxState(sandbox);
    const attachCalls = async () => (await state()).requests[ATTACH_ROUTE] ?? 0;
    const sync = async (id: string) => {
      const started = await user.rest<{ runId: string }>(`/api/v1/emag/sync/${id}`, {
        method: 'POST',
        body: {},
      });
      expect(started.status, started.text).toBe(202);
      return started.body.runId;
    };
    const operations = async (correctionId: string) =>
      (
        await database.db.pool.query<{ status: string; attempts: number }>(
          `select status, attempts from outbound_operations where kind = 'correction-attach' and idempotency_key = $1`,
          [correctionId],
        )
      ).rows;

    it('issues one correction to zero and attaches it once, though the process died attaching it', async () => {
      const first = await spawner.start();
      const id = await connect(user, 'ro-main', { syncReturns: false });
      // The first sync (started on connect) invoices the orders and attaches every invoice.
      await eventually(async () => {
        const runs = (await user.trpc.integrations.runs.query({ id })) as { status: string }[];
        return runs.length > 0 && runs.every((r) => r.status === 'succeeded') ? true : undefined;
      }, 300_000);
      const invoices = await invoicesOf(user, id);
      expect(invoices.length).toBeGreaterThan(100);
      const saved = (await state()).effects.filter((e) => e.kind === 'order.attachment_saved');
      expect(saved).toHaveLength(invoices.length);

      // An invoiced order eMAG still lets the seller cancel (in progress or prepared).
      const orders = await allOrders(sandbox, 'ro-main');
      const target = orders.find(
        (o) => (o.status === 2 || o.status === 3) && invoices.some((i) => i.externalOrderId === String(o.id)),
      );
      expect(target, 'an invoiced order in status 2 or 3').toBeDefined();
      const orderId = String(target!.id);
      const invoice = invoices.find((i) => i.externalOrderId === orderId)!;
      const cancelled = await user.rest<{ result: { outcome: string; correction: { id: string } | null } }>(
        `/api/v1/emag/actions/${id}/cancel-order`,
        { method: 'POST', body: { orderId, reason: 2 } },
      );
      expect(cancelled.status, cancelled.text).toBe(200);
      expect(cancelled.body.result).toMatchObject({ outcome: 'done', correction: { corrects: invoice.id } });
      const correctionId = cancelled.body.result.correction!.id;

      // eMAG stops answering attachments; the next sync sends the correction and waits on it.
      await setFaults(sandbox, { hangRate: 1, routes: ['/ro/api-3/order/attachments/save'] });
      const callsBefore = await attachCalls();
      await sync(id);
      await eventually(async () => ((await attachCalls()) > callsBefore ? true : undefined), 120_000);
      expect(await operations(correctionId)).toEqual([{ status: 'running', attempts: 1 }]);
      await spawner.kill(first);
      expect(
        (await state()).effects.filter((e) => e.kind === 'order.attachment_saved' && e.target === orderId),
      ).toHaveLength(1); // the invoice's only: the correction never reached eMAG
      await setFaults(sandbox, { hangRate: 0, routes: [] });

      await sleep(2500); // the claim the dead process left `running` is now stale
      await spawner.start();
      expect((await waitForRun(user, await sync(id), 300_000)).status).toBe('succeeded');
      const storno = async () =>
        (await state()).effects.filter(
          (e) =>
            e.kind === 'order.attachment_saved' &&
            e.target === orderId &&
            String(e.data?.name).startsWith('Factura storno'),
        );
      await eventually(async () => ((await storno()).length > 0 ? true : undefined), 120_000);

      // Delivered once: a further sync sends nothing more, and the operation is done.
      const callsAfter = await attachCalls();
      expect((await waitForRun(user, await sync(id), 300_000)).status).toBe('succeeded');
      expect(await attachCalls()).toBe(callsAfter);
      const ops = await operations(correctionId);
      expect(ops).toHaveLength(1);
      expect(ops[0]!.status).toBe('succeeded');
      expect(ops[0]!.attempts).toBeGreaterThanOrEqual(2);

      // Exactly one correction of the invoice, to zero, linked both ways.
      const { rows } = await database.db.pool.query<{ id: string }>(
        `select id from invoices where corrects = $1`,
        [invoice.id],
      );
      expect(rows.map((r) => r.id)).toEqual([correctionId]);
      const original = await user.rest<Doc>(`/api/v1/invoices/${invoice.id}`);
      expect(original.body.correctedBy).toEqual([correctionId]);
      const correction = await user.rest<Doc>(`/api/v1/invoices/${correctionId}`);
      expect(correction.body).toMatchObject({
        type: 'correction',
        corrects: invoice.id,
        correction: { kind: 'cancellation' },
      });
      expect(cents(original.body.totals.gross) + cents(correction.body.totals.gross)).toBe(0);
      expect(cents(original.body.totals.gross)).toBeGreaterThan(0);

      const attached = await storno();
      expect(attached).toHaveLength(1);
      expect(attached[0]!.data?.name).toBe(`Factura storno ${correction.body.number}`);
      expect((await state()).breaches).toBe(0);
    }, 900_000);
  },
);
