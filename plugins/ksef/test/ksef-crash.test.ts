import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startSandbox } from '../sandbox/index.ts';
import { isValidKsefNumber } from '../sandbox/ksef-number.ts';
import { FA3_XSD, UPO_XSD, validateXmlBatch } from '../src/xsd.ts';
import {
  connectAccount,
  sandboxConfig,
  sellerHeaders,
  startAllegroWorld,
  syncAndWait,
  type AllegroWorld,
} from '../../allegro/test/support.ts';
import {
  createTestDatabase,
  type TestDatabase,
  startHostProcess,
  type HostProcess,
  NO_SERVER,
  serverDatabaseUrl,
  ratesSandboxEnv,
  type TestActor,
} from '@mch/host/testing';
import { allInvoices, ksefConfig, ksefInvoices, ksefState, setFaults, until } from './support.ts';

const ORDERS = Number(process.env.KSEF_CRASH_ORDERS ?? 1300);
const CORRECTIONS = 50;

interface Form {
  id: string;
  status: string;
  payment: { finishedAt: string | null };
  delivery: { cost: { amount: string } };
}

async function fullForms(sandbox: RunningSandbox): Promise<Form[]> {
  const headers = await sellerHeaders(sandbox, 0);
  const forms: Form[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = (await (
      await fetch(`${sandbox.url}/order/checkout-forms?limit=100&offset=${offset}`, { headers })
    ).json()) as { checkoutForms: Form[] };
    forms.push(...page.checkoutForms);
    if (page.checkoutForms.length < 100) return forms;
  }
}

/**
 * Issue 18 at volume: a Polish seller's Allegro invoices and refund corrections go to KSeF through
 * a real `host start` process. KSeF is down while they are issued; once it is back the process
 * starts a batch session and is SIGKILLed in the middle of it; a new process finishes. Every
 * document ends with a KSeF number, accepted exactly once at KSeF, and every FA(3) and UPO is
 * valid against the official XSDs. Needs a PostgreSQL server (the processes share the database).
 */
describe.skipIf(!serverDatabaseUrl())(
  `KSeF: documents cleared once across a crash and an outage${serverDatabaseUrl() ? '' : NO_SERVER}`,
  () => {
    let database: TestDatabase;
    let world: AllegroWorld;
    let ksef: RunningSandbox;
    let user: TestActor;
    let worker: HostProcess | undefined;

    const spawnWorker = async () => {
      const port = 20_000 + Math.floor(Math.random() * 20_000);
      const process_ = startHostProcess({
        args: ['--role', 'all'],
        port,
        env: {
          DATABASE_URL: database.url!,
          HOST_MASTER_KEY: world.host.app.services.env.masterKey!,
          PUBLIC_URL: world.host.url,
          LOG_LEVEL: 'warn',
          OUTBOUND_STALE_AFTER_MS: '1500',
          ...(await ratesSandboxEnv()),
          ...sandboxConfig(world.sandbox),
          ...ksefConfig(ksef),
        },
      });
      await until(
        'worker process up',
        async () => (await process_.readyz())?.status === 200 || process_.child.exitCode !== null,
        60_000,
      );
      if (process_.child.exitCode !== null) throw new Error(`host process exited:\n${process_.output()}`);
      return process_;
    };

    beforeAll(async () => {
      database = await createTestDatabase({ server: true });
      // The API host answers the user (connects, actions); the jobs run in spawned processes.
      world = await startAllegroWorld({
        orders: ORDERS,
        seed: 'ksef-crash',
        extra: { accounts: 1, refundSettleMs: 10, seededReturns: 0 },
        host: { role: 'api', database },
      });
      ksef = await startSandbox({ seed: 'ksef-crash' });
      world.overrides.set('ksef', ksefConfig(ksef));
      const tenant = await world.host.createTenant();
      user = await world.host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
    }, 120_000);
    afterAll(async () => {
      await worker?.stop('SIGKILL');
      await world?.stop();
      await ksef?.close();
      await database?.close();
    });

    it('clears every invoice and correction once, with its KSeF number, though the worker died mid-batch', async () => {
      worker = await spawnWorker();
      const ksefId = (
        await user.trpc.integrations.create.mutate({
          pluginId: 'ksef',
          settings: { ksefToken: ksef.credentials.ksefToken!, environment: 'api-test' },
        })
      ).id;
      // KSeF is down while the orders are invoiced and refunded.
      await setFaults(ksef, { errorRate: 1, errorStatus: 503 });
      const allegroId = await connectAccount(user, 0);
      expect((await syncAndWait(user, allegroId, 600_000)).status).toBe('succeeded');
      const invoices = await allInvoices(user, `&integrationId=${allegroId}`);
      const forms = await fullForms(world.sandbox);
      const invoiceOf = new Map(invoices.map((i) => [i.externalOrderId, i]));
      const refundable = forms.filter(
        (f) => f.status === 'READY_FOR_PROCESSING' && f.payment.finishedAt && invoiceOf.has(f.id),
      );
      for (const form of refundable.slice(0, CORRECTIONS)) {
        const answer = await user.rest<{ result?: unknown; error?: { message: string } }>(
          `/api/v1/allegro/actions/${allegroId}/refund-order`,
          {
            method: 'POST',
            body: {
              orderId: form.id,
              reason: 'REFUND',
              lines: [{ line: 1, quantity: 1 }],
            },
          },
        );
        expect(answer.status, answer.text).toBe(200);
      }
      const documents = await allInvoices(user);
      const corrections = documents.filter((d) => d.type === 'correction');
      expect(corrections.length).toBe(CORRECTIONS);
      expect(documents.every((d) => d.clearance?.status !== 'accepted')).toBe(true);

      // KSeF is back and slow: the next run sends a batch session, and the worker dies while KSeF
      // is still processing it (every document handed over and recorded `sent`, none answered).
      // (A kill while the hand-over itself is under way leaves ledger claims `running` that the
      // host's `documents.pending()` never offers again — a host issue, see the report.)
      await setFaults(ksef, { errorRate: 0, processingMs: 15_000 });
      await user.trpc.integrations.sync.mutate({ id: ksefId });
      let seen: string[] = [];
      await until(
        'the batch handed over and still processing at KSeF',
        async () => {
          const now = await allInvoices(user, `&integrationId=${allegroId}`);
          // Held by the plugin (not sendable, with its errors) are never handed over.
          const invoicesOnly = now.filter((d) => d.type === 'invoice' && d.clearance?.status !== 'pending');
          seen = invoicesOnly.map((d) => d.clearance?.status ?? 'none');
          const handed = invoicesOnly.every((d) => ['sent', 'accepted'].includes(d.clearance?.status ?? ''));
          return (handed && invoicesOnly.some((d) => d.clearance?.status === 'sent')) || undefined;
        },
        180_000,
      ).catch((error: unknown) => {
        const tally = seen.reduce<Record<string, number>>((t, s) => ({ ...t, [s]: (t[s] ?? 0) + 1 }), {});
        throw new Error(`${String(error)}: ${JSON.stringify(tally)}\n${worker?.output().slice(-3000)}`);
      });
      await worker.stop('SIGKILL');
      await setFaults(ksef, { processingMs: 0 });
      worker = await spawnWorker();
      await user.trpc.integrations.sync.mutate({ id: ksefId });
      let last = documents;
      await until(
        'every document accepted',
        async () => {
          last = (await allInvoices(user)).filter((d) => d.clearance?.status !== 'pending');
          return last.every((d) => d.clearance?.status === 'accepted') || undefined;
        },
        240_000,
      ).catch((error: unknown) => {
        const open = last.filter((d) => d.clearance?.status !== 'accepted');
        throw new Error(
          `${String(error)}: ${open.length} not accepted, e.g. ${JSON.stringify(open.slice(0, 2))}\n${worker?.output().slice(-2000)}`,
        );
      });

      // Every document its KSeF number; each document number accepted exactly once at KSeF.
      const held = (await allInvoices(user)).filter((d) => d.clearance?.status === 'pending');
      expect(last.length + held.length).toBe(documents.length);
      // A held document carries the plugin's reason (it could not be made into a valid FA(3)).
      for (const d of held) expect(d.clearance!.errors.length, d.number).toBeGreaterThan(0);
      expect(held.length).toBeLessThanOrEqual(documents.length / 100);
      for (const d of last) expect(isValidKsefNumber(d.clearance!.number!), d.number).toBe(true);
      const accepted = (await ksefInvoices(ksef)).filter((s) => s.status.code === 200);
      expect(accepted).toHaveLength(last.length);
      expect(new Set(accepted.map((s) => s.invoiceNumber)).size).toBe(last.length);
      expect(new Set(last.map((d) => d.clearance!.number)).size).toBe(last.length);
      const state = await ksefState(ksef);
      expect(Object.keys(state.requests).some((k) => k.startsWith('POST /v2/sessions/batch'))).toBe(true);

      // Every FA(3) and UPO as served by the host, valid against the official XSDs.
      const xmls: string[] = [];
      const upos: string[] = [];
      for (const d of last) {
        xmls.push((await user.rest<string>(`/api/v1/invoices/${d.id}/xml`)).text);
        const upo = (await user.rest<string>(`/api/v1/invoices/${d.id}/clearance-receipt`)).text;
        expect(upo).toContain(d.clearance!.number!);
        upos.push(upo);
      }
      expect((await validateXmlBatch(xmls, FA3_XSD)).flat()).toEqual([]);
      expect((await validateXmlBatch(upos, UPO_XSD)).flat()).toEqual([]);
      const kor = xmls.filter((x) => x.includes('<RodzajFaktury>KOR</RodzajFaktury>'));
      expect(kor).toHaveLength(CORRECTIONS);
      const foreign = last.filter((d) => d.currency !== 'PLN').length;
      if (ORDERS >= 1300) {
        expect(last.length).toBeGreaterThanOrEqual(1000);
        expect(foreign).toBeGreaterThanOrEqual(30);
      }
      // eslint-disable-next-line no-console
      console.info(
        `KSeF crash test: ${last.length} documents cleared (${CORRECTIONS} corrections, ${foreign} in a foreign currency); held: ${JSON.stringify(held.map((d) => [d.number, d.currency, d.clearance!.errors]))}`,
      );
    }, 900_000);
  },
);
