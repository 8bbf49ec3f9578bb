import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startSandbox } from '../sandbox/index.ts';
import { isValidKsefNumber } from '../sandbox/ksef-number.ts';
import { FA3_XSD, UPO_XSD, validateXmlBatch } from '../src/xsd.ts';
import {
  connectAccount,
  sandboxState,
  startAllegroWorld,
  syncAndWait,
  waitIdle,
  type AllegroWorld,
} from '../../allegro/test/support.ts';
import type { TestActor } from '@mch/host/testing';
import {
  allInvoices,
  ksefConfig,
  ksefInvoices,
  ksefState,
  setFaults,
  until,
  type InvoiceItem,
} from './support.ts';

/**
 * Issue 18 end to end: Allegro orders become invoices of a Polish company connected to KSeF; the
 * host hands each to the KSeF plugin once (outbound ledger), the plugin clears it through the
 * sandbox (FA(3), online session, KSeF number, UPO), and Allegro gets the invoice only after.
 */
describe('KSeF clearance of the company’s Allegro invoices', () => {
  let world: AllegroWorld;
  let ksef: RunningSandbox;
  let user: TestActor;
  let ksefId: string;
  let allegroId: string;

  beforeAll(async () => {
    world = await startAllegroWorld({ orders: 60, seed: 'ksef' });
    ksef = await startSandbox({ seed: 'e2e' });
    world.overrides.set('ksef', ksefConfig(ksef));
    const tenant = await world.host.createTenant();
    user = await world.host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
  }, 120_000);
  afterAll(async () => {
    await world?.stop();
    await ksef?.close();
  });

  it('connects KSeF once per company, the token kept out of every answer', async () => {
    const created = await user.trpc.integrations.create.mutate({
      pluginId: 'ksef',
      settings: { ksefToken: ksef.credentials.ksefToken!, environment: 'api-test' },
    });
    ksefId = created.id;
    expect(created.companyId).toBeTruthy();
    expect(created.externalAccountId).toBe(`company:${created.companyId}`);
    expect(JSON.stringify(await user.trpc.integrations.getSettings.query({ id: ksefId }))).not.toContain(
      ksef.credentials.ksefToken,
    );
    await expect(
      user.trpc.integrations.create.mutate({
        pluginId: 'ksef',
        settings: { ksefToken: ksef.credentials.ksefToken! },
      }),
    ).rejects.toThrow();
    const plugins = (await user.trpc.plugins.list.query()) as {
      id: string;
      documents: { authority: string } | null;
    }[];
    expect(plugins.find((p) => p.id === 'ksef')?.documents?.authority).toBe('ksef');
    expect(plugins.find((p) => p.id === 'allegro')?.documents).toBeNull();
  });

  it('during a KSeF outage invoices are issued but not uploaded to Allegro; after it, each is cleared once and then uploaded', async () => {
    await setFaults(ksef, { errorRate: 1, errorStatus: 503 });
    allegroId = await connectAccount(user, 0);
    const run = await syncAndWait(user, allegroId, 300_000);
    expect(run.status).toBe('succeeded');
    await waitIdle(user, ksefId);
    const issued = await allInvoices(user, `&integrationId=${allegroId}`);
    expect(issued.length).toBeGreaterThan(10);
    // Nothing cleared, nothing on Allegro: delivery waits for the KSeF number.
    expect(issued.every((i) => i.clearance?.status !== 'accepted')).toBe(true);
    const before = await sandboxState(world.sandbox);
    expect(before.effects.filter((e) => e.kind === 'invoice.file_uploaded')).toEqual([]);

    await setFaults(ksef, { errorRate: 0 });
    await user.trpc.integrations.sync.mutate({ id: ksefId });
    let last: InvoiceItem[] = [];
    const cleared = await until(
      'every invoice cleared',
      async () => {
        last = await allInvoices(user, `&integrationId=${allegroId}`);
        return last.every((i) => i.clearance?.status === 'accepted') && last;
      },
      300_000,
    ).catch((error: unknown) => {
      const runs = user.trpc.integrations.runs.query({ id: ksefId, limit: 5 });
      return runs.then((r) => {
        const lines = world.host
          .logs()
          .split('\n')
          .filter((l) => l.includes('ksef') || l.includes('KSeF'))
          .slice(-10);
        throw new Error(
          `${String(error)}: ${JSON.stringify(last.map((i) => i.clearance).slice(0, 3))} runs ${JSON.stringify(r)} logs ${lines.join('\n')}`,
        );
      });
    });
    for (const invoice of cleared) {
      expect(invoice.clearance!.authority).toBe('ksef');
      expect(isValidKsefNumber(invoice.clearance!.number!), invoice.clearance!.number!).toBe(true);
    }
    // Exactly one KSeF document per invoice, across the outage.
    const sent = await ksefInvoices(ksef);
    const accepted = sent.filter((s) => s.status.code === 200);
    expect(accepted).toHaveLength(cleared.length);
    expect(new Set(accepted.map((s) => s.invoiceNumber)).size).toBe(cleared.length);
    // Many documents waiting at once went in a batch session (more than BATCH_FROM waiting).
    const requests = (await ksefState(ksef)).requests;
    expect(requests['POST /v2/sessions/batch']).toBeGreaterThan(0);
    expect(requests['PUT /storage/batch/:ref/parts/:n']).toBeGreaterThan(0);

    // Allegro's upload now takes the cleared invoices.
    await user.trpc.integrations.sync.mutate({ id: allegroId, jobId: 'upload-invoices' });
    await waitIdle(user, allegroId);
    const after = await sandboxState(world.sandbox);
    const uploads = after.effects.filter((e) => e.kind === 'invoice.file_uploaded');
    expect(uploads.length).toBeGreaterThan(0);
    expect(new Set(uploads.map((e) => e.target)).size).toBe(uploads.length);
  }, 600_000);

  it('serves each FA(3) and UPO, valid against the official XSDs, and prints the KSeF number and QR code I on the PDF', async () => {
    const invoices = await allInvoices(user, `&integrationId=${allegroId}`);
    const xmls: string[] = [];
    const upos: string[] = [];
    for (const invoice of invoices) {
      const xml = await user.rest<string>(`/api/v1/invoices/${invoice.id}/xml`);
      expect(xml.status).toBe(200);
      xmls.push(xml.text);
      const upo = await user.rest<string>(`/api/v1/invoices/${invoice.id}/clearance-receipt`);
      expect(upo.status).toBe(200);
      expect(upo.text).toContain(invoice.clearance!.number!);
      upos.push(upo.text);
    }
    expect((await validateXmlBatch(xmls, FA3_XSD)).flat()).toEqual([]);
    expect((await validateXmlBatch(upos, UPO_XSD)).flat()).toEqual([]);
    const document = await user.rest<{ clearance: { number: string } }>(
      `/api/v1/invoices/${invoices[0]!.id}`,
    );
    expect(document.body.clearance.number).toBe(invoices[0]!.clearance!.number);
    const pdf = await fetch(`${world.host.url}/api/v1/invoices/${invoices[0]!.id}/pdf`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(pdf.status).toBe(200);
    const bytes = Buffer.from(await pdf.arrayBuffer());
    // The text as a reader sees it (poppler's pdftotext): the KSeF number next to its label.
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: bytes }).toString('utf8');
    expect(text).toContain(`Numer KSeF: ${invoices[0]!.clearance!.number}`);
    // QR code I (kody-qr.md): the verification link of the file sent — NIP, issue date (DD-MM-YYYY),
    // SHA-256 of the FA(3) in Base64URL — is what the PDF draws as the QR (pdf.test.ts shows the drawing).
    const { rows } = await world.host.database.db.pool.query<{ payload: string; issue_date: string }>(
      `select clearance -> 'qr' ->> 'payload' as payload, issue_date from invoices where id = $1`,
      [invoices[0]!.id],
    );
    const [y, m, d] = rows[0]!.issue_date.split('-');
    const digest = createHash('sha256').update(Buffer.from(xmls[0]!, 'utf8')).digest('base64url');
    expect(rows[0]!.payload).toBe(
      `https://qr-test.ksef.mf.gov.pl/invoice/7740001454/${d}-${m}-${y}/${digest}`,
    );
    const missing = await user.rest(`/api/v1/invoices/00000000-0000-4000-8000-000000000000/xml`);
    expect(missing.status).toBe(404);
  }, 300_000);
});
