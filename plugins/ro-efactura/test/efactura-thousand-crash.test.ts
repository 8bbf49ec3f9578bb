import { createHash, createVerify } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox as startEmagSandbox } from '../../emag/sandbox/index.ts';
import { hostSpawner } from '../../emag/test/host-process.ts';
import {
  allOrders,
  connect,
  emagConfig,
  eventually,
  expectHolds,
  isReverseCharged,
  ROMANIAN_SELLER,
  ROOT_REGISTRY,
} from '../../emag/test/support.ts';
import {
  createTestDatabase,
  type TestDatabase,
  NO_SERVER,
  serverDatabaseUrl,
  ratesSandboxEnv,
  startTestHost,
  type TestActor,
  type TestHost,
} from '@mch/host/testing';
import { startSandbox as startSpvSandbox } from '../sandbox/index.ts';
import { SANDBOX_CIFS } from '../sandbox/server.ts';
import { stopValidator } from '../src/validate.ts';
import { readZip } from '../src/zip.ts';

/** 1 000 orders of one Romanian seller on eMAG's Romanian, Hungarian and Bulgarian platforms. */
const ORDERS = { 'ro-main': 600, 'hu-main': 200, 'bg-main': 200 } as const;
const UPLOAD_ROUTE = '/test/FCTEL/rest/upload';

interface InvoiceItem {
  id: string;
  number: string;
  integrationId: string;
  externalOrderId: string | null;
  clearance: { authority: string; status: string; number: string | null; errors: unknown[] } | null;
}

interface SpvState {
  requests: Record<string, number>;
  effects: { kind: string; target?: string; data?: Record<string, unknown> }[];
}

const started = Date.now();
const mark = (what: string) =>
  process.stderr.write(`[efactura-1000] ${((Date.now() - started) / 1000).toFixed(1)} s: ${what}\n`);

/**
 * Issue 19, acceptance point "1 000 eMAG RO/HU/BG orders of a Romanian seller → documents uploaded
 * and accepted by the sandbox, every XML valid against XSD and Schematron, 0 duplicate uploads
 * across a SIGKILL and an outage".
 *
 * Real processes throughout: `host start` processes on one PostgreSQL database, the eMAG sandbox
 * with 600 / 200 / 200 new orders on eMAG RO / HU / BG, and the SPV sandbox, which validates every
 * upload with the same official artefacts (UBL 2.1 XSD, CIUS-RO Schematron). The seller is the
 * usual Romanian one under the One-Stop-Shop scheme: its eMAG HU/BG sales to consumers carry the
 * buyer's country's VAT and are answered `not-required`, as are its reverse-charged supplies to
 * HU/BG VAT payers (recapitulative statement); HU/BG businesses that pay no VAT are held by the host
 * (their platform's rate is not Romania's). Every Romanian document is reported.
 *
 * The first process is SIGKILLed while it uploads a batch (uploads slowed so the kill lands in the
 * middle: some uploaded, one in flight, the rest not); ANAF is then down (`outage`) while a second
 * process starts and tries; once ANAF is back every document is accepted and uploaded exactly once.
 * The test presses "Sync now" on the e-Factura connection instead of waiting for its one-minute
 * interval, lifts the SPV rate limit (EFACTURA_RATE_LIMIT, per minute: ANAF's 1 000 would make the
 * ~1 900 calls of 600 documents take two minutes on their own) and shortens the write-ahead note's
 * reconcile window (EFACTURA_RECONCILE_AFTER_MS) so an upload that never reached ANAF is sent again
 * within seconds rather than 30 minutes.
 */
describe.skipIf(!serverDatabaseUrl())(
  `RO e-Factura: 1 000 eMAG orders reported once across a SIGKILL and an outage${serverDatabaseUrl() ? '' : NO_SERVER}`,
  () => {
    let database: TestDatabase;
    let emag: RunningSandbox;
    let spv: RunningSandbox;
    let api: TestHost;
    let user: TestActor;
    let spawner: ReturnType<typeof hostSpawner>;
    const overrides = new Map<string, Record<string, string>>();

    beforeAll(async () => {
      database = await createTestDatabase({ server: true });
      // eMAG's limits are not what is tested here: the sandbox does not enforce them and the
      // processes are told eMAG allows more (the plugin's documented overrides).
      emag = await startEmagSandbox({
        orders: 0,
        seed: 'efactura-1000',
        rateLimit: false,
        extra: { now: '2026-11-20T12:00:00Z' },
      });
      overrides.set('emag', emagConfig(emag));
      // The API host signs the representative in at ANAF (the OAuth callback is its own) and
      // answers the API; syncs and reports run in the spawned `host start` processes.
      api = await startTestHost({
        registryPath: ROOT_REGISTRY,
        role: 'api',
        database,
        configOverrides: overrides,
      });
      spv = await startSpvSandbox({
        seed: 'efactura-1000',
        redirectUri: `${api.url}/api/v1/ro-efactura/auth/callback`,
      });
      overrides.set('ro-efactura', efacturaConfig());
      const tenant = await api.createTenant(undefined, ROMANIAN_SELLER);
      user = await api.createActor({ role: 'tenant_admin', tenantId: tenant.id });
      spawner = hostSpawner({
        databaseUrl: database.url!,
        api,
        sandbox: emag,
        env: {
          ...(await ratesSandboxEnv()),
          ...efacturaConfig(),
          EFACTURA_RECONCILE_AFTER_MS: '8000',
          EFACTURA_RATE_LIMIT: '60000',
          EMAG_RATE_LIMIT_ORDERS: '500',
          EMAG_RATE_LIMIT_OTHER: '100',
        },
      });
    }, 120_000);
    afterAll(async () => {
      spawner?.stopAll();
      await api?.stop();
      await emag?.close();
      await spv?.close();
      await database?.close();
      stopValidator();
    });

    function efacturaConfig(): Record<string, string> {
      const c = spv.credentials;
      return {
        EFACTURA_API_URL: spv.url,
        EFACTURA_AUTH_URL: spv.url,
        EFACTURA_CLIENT_ID: c.clientId!,
        EFACTURA_CLIENT_SECRET: c.clientSecret!,
        EFACTURA_REDIRECT_URI: c.redirectUri!,
      };
    }
    const spvState = async () => (await (await fetch(`${spv.controlUrl}/state`)).json()) as SpvState;
    const spvFaults = async (faults: Record<string, unknown>) => {
      const res = await fetch(`${spv.controlUrl}/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(faults),
      });
      expect(res.status, await res.text()).toBe(200);
    };
    const uploads = async () => (await spvState()).effects.filter((e) => e.kind === 'invoice.uploaded');
    const allInvoices = async (): Promise<InvoiceItem[]> => {
      const out: InvoiceItem[] = [];
      for (let offset = 0; ; offset += 200) {
        const { body } = await user.rest<{ invoices: InvoiceItem[]; total: number }>(
          `/api/v1/invoices?limit=200&offset=${offset}`,
        );
        out.push(...body.invoices);
        if (out.length >= body.total || body.invoices.length === 0) return out;
      }
    };

    /** The representative signs in on the SPV sandbox's certificate page and is sent back to the host. */
    async function signInAtAnaf(integrationId: string): Promise<void> {
      const { url } = await user.trpc.integrations.authUrl.mutate({ pluginId: 'ro-efactura', integrationId });
      const page = await (await fetch(url)).text();
      expect(page).toContain('certificat digital calificat');
      const form = Object.fromEntries(
        [...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
          m[1]!,
          m[2]!.replace(/&amp;/g, '&'),
        ]),
      );
      const consent = await fetch(new URL('/anaf-oauth2/v1/authorize', url), {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...form, decision: 'allow' }),
      });
      const back = consent.headers.get('location')!;
      const landed = await fetch(back, { redirect: 'manual', headers: { cookie: user.cookie } });
      expect(landed.status).toBe(303);
      expect(landed.headers.get('location')).toMatch(/connected=/);
    }

    /**
     * "Sync now" on the e-Factura connection every two seconds unless a run of it is already queued
     * (a run reports at most 200 documents; its own interval is a minute). A run the killed process
     * left `running` stays so, which is why only queued runs are looked at.
     */
    function keepReporting(efacturaId: string): { stop: () => Promise<void> } {
      let stopped = false;
      const loop = (async () => {
        while (!stopped) {
          const runs = (await user.trpc.integrations.runs.query({ id: efacturaId }).catch(() => [])) as {
            status: string;
          }[];
          if (!runs.some((r) => r.status === 'queued'))
            await user.trpc.integrations.sync.mutate({ id: efacturaId }).catch(() => undefined);
          await sleep(2000);
        }
      })();
      return {
        async stop() {
          stopped = true;
          await loop;
        },
      };
    }

    it('reports every Romanian document once and accepted, though a process died uploading and ANAF was down', async () => {
      // The company's e-Factura connection comes first: it takes documents issued after it.
      const efactura = await user.trpc.integrations.create.mutate({
        pluginId: 'ro-efactura',
        label: 'RO e-Factura',
        settings: { cif: SANDBOX_CIFS[0]!, environment: 'test' },
      });
      await signInAtAnaf(efactura.id);
      expect(await user.trpc.integrations.get.query({ id: efactura.id })).toMatchObject({ status: 'active' });
      for (const [account, count] of Object.entries(ORDERS)) {
        const placed = await fetch(`${emag.controlUrl}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ account, count }),
        });
        expect(placed.status).toBe(201);
      }
      mark('e-Factura connected, 1 000 orders placed');

      // Uploads are slowed so the kill lands inside a batch of 200.
      await spvFaults({ latencyMs: 40, routes: [UPLOAD_ROUTE] });
      const first = await spawner.start();
      const emagIds: Record<string, string> = {};
      for (const account of Object.keys(ORDERS))
        emagIds[account] = await connect(user, account, {
          syncReturns: false,
          sendInvoices: false,
          syncOffers: false,
        });
      mark('first host process started, eMAG accounts connected');
      const pool = database.db.pool;
      const emagDone = async () => {
        for (const id of Object.values(emagIds)) {
          const runs = (await user.trpc.integrations.runs.query({ id })) as { status: string }[];
          if (runs.length === 0 || runs.some((r) => r.status !== 'succeeded')) return false;
        }
        return true;
      };
      const claimsInFlight = async () =>
        (
          await pool.query<{ n: number }>(
            `select count(*)::int as n from outbound_operations
              where integration_id = $1 and kind = 'clearance' and status = 'running'`,
            [efactura.id],
          )
        ).rows[0]!.n;
      const invoiceCount = async () =>
        (await pool.query<{ n: number }>(`select count(*)::int as n from invoices`)).rows[0]!.n;
      // Every order invoiced, and a batch of Romanian documents being uploaded: some are in, one is
      // on its way (the upload route is slow), the rest of the batch is claimed but not sent.
      await eventually(async () => ((await emagDone()) ? true : undefined), 150_000);
      const issued = await invoiceCount();
      mark(`every order synced: ${issued} invoices`);
      const reporting = keepReporting(efactura.id);
      let inFlight = 0;
      await eventually(async () => {
        if ((await uploads()).length < 25) return undefined;
        inFlight = await claimsInFlight();
        return inFlight > 0 ? true : undefined;
      }, 120_000);
      await spawner.kill(first);
      const atCrash = (await uploads()).length;
      mark(`first process SIGKILLed after ${atCrash} uploads, ${inFlight} documents claimed`);
      expect(atCrash).toBeLessThan(ORDERS['ro-main']);

      // ANAF is down while the next process starts and tries.
      await spvFaults({ latencyMs: 0, routes: [], outage: true });
      const requests = async () => Object.values((await spvState()).requests).reduce((a, b) => a + b, 0);
      const requestsBefore = await requests();
      await sleep(2500); // the claims the dead process left `running` are now stale
      await spawner.start();
      await eventually(async () => ((await requests()) > requestsBefore + 3 ? true : undefined), 60_000);
      await sleep(2000);
      await spvFaults({ outage: false });
      mark(`second process started and refused ${(await requests()) - requestsBefore} times; ANAF is back`);

      // Every Romanian invoice of the company accepted.
      let lastLog = 0;
      await eventually(async () => {
        const { rows } = await pool.query<{ n: number; accepted: number }>(
          `select count(*)::int as n, (count(*) filter (where clearance ->> 'status' = 'accepted'))::int as accepted
             from invoices where integration_id = $1`,
          [emagIds['ro-main']],
        );
        const { n, accepted } = rows[0]!;
        if (Date.now() - lastLog > 5000) {
          lastLog = Date.now();
          mark(`${(await uploads()).length} uploads, ${accepted} accepted`);
        }
        return n === ORDERS['ro-main'] && accepted === n ? true : undefined;
      }, 240_000);
      const roInvoices = (await allInvoices()).filter((i) => i.integrationId === emagIds['ro-main']);
      await reporting.stop();
      mark('every Romanian document accepted');

      // The documents: every order an invoice, but HU/BG businesses that pay no VAT (held).
      const invoices = await allInvoices();
      expect(invoices).toHaveLength(issued);
      expect(new Set(invoices.map((i) => i.number)).size).toBe(invoices.length);
      const foreign = new Map<string, { reverseCharged: boolean }>();
      for (const account of ['hu-main', 'bg-main'] as const) {
        const orders = await allOrders(emag, account);
        expect(orders).toHaveLength(ORDERS[account]);
        for (const o of await expectHolds(user, emagIds[account]!, orders))
          foreign.set(`${account}:${o.id}`, { reverseCharged: isReverseCharged(o) });
      }
      expect(await expectHolds(user, emagIds['ro-main']!, await allOrders(emag, 'ro-main'))).toHaveLength(
        ORDERS['ro-main'],
      );
      const foreignInvoices = invoices.filter(
        (i) => i.integrationId === emagIds['hu-main'] || i.integrationId === emagIds['bg-main'],
      );
      expect(foreignInvoices).toHaveLength(foreign.size);
      expect(invoices).toHaveLength(ORDERS['ro-main'] + foreign.size);

      // HU/BG documents are not e-Factura's, each with its reason (the API shows no clearance).
      const { rows: notRequired } = await database.db.pool.query<{
        integration_id: string;
        external_order_id: string;
        clearance: { status: string; errors: { message: string }[] };
      }>(
        `select integration_id, external_order_id, clearance from invoices
          where integration_id = any($1::uuid[])`,
        [[emagIds['hu-main'], emagIds['bg-main']]],
      );
      let oss = 0;
      let intraCommunity = 0;
      for (const row of notRequired) {
        const account = row.integration_id === emagIds['hu-main'] ? 'hu-main' : 'bg-main';
        const country = account === 'hu-main' ? 'HU' : 'BG';
        const expected = foreign.get(`${account}:${row.external_order_id}`)!;
        expect(
          row.clearance.status,
          `${account} order ${row.external_order_id} ${JSON.stringify(expected)}`,
        ).toBe('not-required');
        if (expected.reverseCharged) intraCommunity++;
        else oss++;
        expect(row.clearance.errors.map((e) => e.message)).toEqual([
          expected.reverseCharged
            ? 'An intra-Community supply is reported in the recapitulative statement, not in e-Factura.'
            : `The VAT is ${country}'s (One-Stop-Shop distance sale), not Romania's.`,
        ]);
      }
      expect(oss + intraCommunity).toBe(foreign.size);
      expect(foreignInvoices.every((i) => i.clearance === null)).toBe(true);
      mark(`${ORDERS['ro-main']} reported, ${oss} OSS and ${intraCommunity} intra-Community not required`);

      // At ANAF: each Romanian invoice uploaded exactly once, every upload valid (no `nok`).
      const state = await spvState();
      const uploaded = state.effects.filter((e) => e.kind === 'invoice.uploaded');
      const perNumber = new Map<string, number>();
      for (const e of uploaded)
        perNumber.set(String(e.data?.number), (perNumber.get(String(e.data?.number)) ?? 0) + 1);
      expect([...perNumber.entries()].filter(([, n]) => n > 1)).toEqual([]);
      expect([...perNumber.keys()].sort()).toEqual(roInvoices.map((i) => i.number).sort());
      expect(state.effects.filter((e) => e.kind === 'invoice.nok')).toEqual([]);
      expect(state.effects.filter((e) => e.kind === 'invoice.ok')).toHaveLength(ORDERS['ro-main']);
      // The clearance number is the upload index ANAF gave that invoice.
      const indexOf = new Map(uploaded.map((e) => [String(e.data?.number), e.target]));
      for (const i of roInvoices)
        expect(i.clearance, i.number).toMatchObject({
          authority: 'ro-efactura',
          status: 'accepted',
          number: indexOf.get(i.number),
          errors: [],
        });

      // Each document handed over once through the outbound ledger, all done.
      const { rows: ops } = await database.db.pool.query<{ status: string; n: number }>(
        `select status, count(*)::int as n from outbound_operations
          where integration_id = $1 and kind = 'clearance' group by status`,
        [efactura.id],
      );
      expect(ops).toEqual([{ status: 'succeeded', n: invoices.length }]);

      // A sample: the signed zip is served, holds the invoice's XML as uploaded and ANAF's signature.
      const { publicKeyPem } = (await (await fetch(`${spv.controlUrl}/signing-key`)).json()) as {
        publicKeyPem: string;
      };
      for (const invoice of roInvoices.filter((_, k) => k % 150 === 0)) {
        const res = await fetch(`${api.url}/api/v1/invoices/${invoice.id}/clearance-receipt`, {
          headers: { authorization: `Bearer ${user.token}` },
        });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toContain('application/zip');
        const entries = new Map(
          readZip(Buffer.from(await res.arrayBuffer())).map((e) => [e.name, e.data.toString('utf8')]),
        );
        const index = invoice.clearance!.number!;
        expect([...entries.keys()].sort()).toEqual([`${index}.xml`, `semnatura_${index}.xml`]);
        const xml = entries.get(`${index}.xml`)!;
        const served = await user.rest(`/api/v1/invoices/${invoice.id}/xml`);
        expect(served.text).toBe(xml);
        expect(xml).toContain(`<cbc:ID>${invoice.number}</cbc:ID>`);
        const signature = entries.get(`semnatura_${index}.xml`)!;
        const signedInfo = /<ds:SignedInfo>[\s\S]*<\/ds:SignedInfo>/.exec(signature)![0];
        expect(signedInfo).toContain(createHash('sha256').update(xml).digest('base64'));
        const value = /<ds:SignatureValue>([^<]+)</.exec(signature)![1]!;
        expect(createVerify('RSA-SHA256').update(signedInfo).verify(publicKeyPem, value, 'base64')).toBe(
          true,
        );
      }
      mark('done');
    }, 400_000);
  },
);
