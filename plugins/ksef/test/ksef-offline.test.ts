import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startSandbox } from '../sandbox/index.ts';
import { isValidKsefNumber } from '../sandbox/ksef-number.ts';
import { nextWorkingDay } from '../src/offline.ts';
import {
  connectAccount,
  startAllegroWorld,
  syncAndWait,
  type AllegroWorld,
} from '../../allegro/test/support.ts';
import type { TestActor } from '@mch/host/testing';
import { allInvoices, ksefConfig, setFaults, until, type InvoiceItem } from './support.ts';

const NIP = '7740001454';

interface Certificate {
  serialNumber: string;
  certificate: string;
  privateKey: string;
}
interface StoredCodes {
  qr: { payload: string; label: string } | null;
  qrCodes: { payload: string; label: string }[] | null;
}
interface AtKsef {
  invoiceNumber: string | null;
  ksefNumber: string | null;
  invoiceHash: string;
  invoicingMode: string;
  status: { code: number };
  xml: string;
}
interface QrCheck {
  valid: boolean;
  problems: string[];
  certificate: { serialNumber: string; nip: string } | null;
  invoice: { ksefNumber: string; invoicingMode: string } | null;
}

/**
 * Issue 18 "when KSeF is unreachable, documents are issued offline with QR codes I and II and sent
 * within the offline deadline automatically" (tryby-offline.md, kody-qr.md), through the real host
 * with the Allegro and KSeF sandboxes and a KSeF certificate of the Offline type in the settings.
 */
describe('KSeF offline: issued with QR codes I and II during an outage, sent once it ends', () => {
  let world: AllegroWorld;
  let ksef: RunningSandbox;
  let user: TestActor;
  let ksefId: string;
  let allegroId: string;
  let certificate: Certificate;
  let offline: InvoiceItem[];

  const control = async <T>(path: string, body: unknown): Promise<T> =>
    (await (
      await fetch(`${ksef.controlUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json()) as T;
  const codes = async (id: string) =>
    (
      await world.host.database.db.pool.query<StoredCodes>(
        `select clearance -> 'qr' as qr, clearance -> 'qrCodes' as "qrCodes" from invoices where id = $1`,
        [id],
      )
    ).rows[0]!;
  const pdfText = async (id: string) => {
    const pdf = await fetch(`${world.host.url}/api/v1/invoices/${id}/pdf`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(pdf.status).toBe(200);
    const bytes = Buffer.from(await pdf.arrayBuffer());
    return execFileSync('pdftotext', ['-layout', '-', '-'], { input: bytes }).toString('utf8');
  };
  const atKsef = async () => (await (await fetch(`${ksef.controlUrl}/invoices`)).json()) as AtKsef[];

  beforeAll(async () => {
    world = await startAllegroWorld({ orders: 12, seed: 'ksef-offline' });
    ksef = await startSandbox({ seed: 'offline' });
    world.overrides.set('ksef', ksefConfig(ksef));
    const tenant = await world.host.createTenant();
    user = await world.host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
    certificate = await control<Certificate>('/certificates', { nip: NIP });
    // A key that is not the certificate's is refused at once, in words.
    const other = await control<Certificate>('/certificates', { nip: NIP });
    const refused = await user.trpc.integrations.create
      .mutate({
        pluginId: 'ksef',
        settings: {
          ksefToken: ksef.credentials.ksefToken!,
          offlineCertificate: certificate.certificate,
          offlineCertificateKey: other.privateKey,
        },
      })
      .catch((error: unknown) => error as Error);
    expect((refused as Error).message).toBe(
      'Not connected: The private key does not belong to the KSeF offline certificate: enter the key made together with that certificate’s request.',
    );
    const created = await user.trpc.integrations.create.mutate({
      pluginId: 'ksef',
      settings: {
        ksefToken: ksef.credentials.ksefToken!,
        environment: 'api-test',
        offlineCertificate: certificate.certificate,
        offlineCertificateKey: certificate.privateKey,
      },
    });
    ksefId = created.id;
  }, 60_000);
  afterAll(async () => {
    await world?.stop();
    await ksef?.close();
  });

  it('during an outage issues each invoice offline: QR code I labelled OFFLINE and QR code II labelled CERTYFIKAT on the PDF, the deadline the next working day', async () => {
    await setFaults(ksef, { errorRate: 1, errorStatus: 503 });
    allegroId = await connectAccount(user, 0);
    expect((await syncAndWait(user, allegroId, 60_000)).status).toBe('succeeded');
    offline = await until(
      'every invoice issued offline',
      async () => {
        const now = await allInvoices(user, `&integrationId=${allegroId}`);
        return now.length > 0 && now.every((i) => i.clearance?.status === 'offline') && now;
      },
      40_000,
    );
    expect(offline.length).toBeGreaterThanOrEqual(4);
    const { body } = await user.rest<{
      invoices: (InvoiceItem & { issueDate: string; clearance: { deadline: string; attention: string } })[];
    }>(`/api/v1/invoices?limit=200&integrationId=${allegroId}`);
    for (const invoice of body.invoices) {
      expect(invoice.clearance.deadline).toBe(nextWorkingDay(invoice.issueDate));
      expect(invoice.clearance).toMatchObject({ number: null, errors: [], attention: 'due-soon' });
    }

    for (const invoice of offline) {
      const xml = (await user.rest<string>(`/api/v1/invoices/${invoice.id}/xml`)).text;
      const hash = createHash('sha256').update(Buffer.from(xml, 'utf8')).digest('base64url');
      const stored = await codes(invoice.id);
      // QR code I: the verification link of this very file (kody-qr.md "KOD I").
      expect(stored.qr).toEqual({
        payload: expect.stringMatching(
          new RegExp(`^https://qr-test\\.ksef\\.mf\\.gov\\.pl/invoice/${NIP}/\\d{2}-\\d{2}-\\d{4}/${hash}$`),
        ),
        label: 'OFFLINE',
      });
      // QR code II: the certificate link, signed with the offline certificate's key.
      expect(stored.qrCodes).toEqual([
        {
          payload: expect.stringMatching(
            new RegExp(
              `^https://qr-test\\.ksef\\.mf\\.gov\\.pl/certificate/Nip/${NIP}/${NIP}/${certificate.serialNumber}/${hash}/[A-Za-z0-9_-]+$`,
            ),
          ),
          label: 'CERTYFIKAT',
        },
      ]);
      const check = await control<QrCheck>('/qr/verify', { url: stored.qrCodes![0]!.payload });
      expect(check).toMatchObject({ valid: true, problems: [], invoice: null });
      // A link whose invoice hash was changed fails the signature.
      const forged = stored.qrCodes![0]!.payload.replace(`/${hash}/`, `/${'A'.repeat(43)}/`);
      expect((await control<QrCheck>('/qr/verify', { url: forged })).valid).toBe(false);
    }
    const text = await pdfText(offline[0]!.id);
    expect(text).toContain('OFFLINE');
    expect(text).toContain('CERTYFIKAT');
    expect(text).not.toContain('Numer KSeF');
    // Nothing reached KSeF.
    expect(await atKsef()).toEqual([]);
  }, 60_000);

  it('once KSeF answers again, sends each once in offline mode, the same file as in its QR codes, and prints its KSeF number beside both codes', async () => {
    await setFaults(ksef, { errorRate: 0 });
    await user.trpc.integrations.sync.mutate({ id: ksefId });
    const cleared = await until(
      'every offline invoice cleared',
      async () => {
        const now = await allInvoices(user, `&integrationId=${allegroId}`);
        return now.every((i) => i.clearance?.status === 'accepted') && now;
      },
      40_000,
    );
    expect(cleared.map((i) => i.id).sort()).toEqual(offline.map((i) => i.id).sort());
    const sent = await atKsef();
    expect(sent.map((s) => s.invoiceNumber).sort()).toEqual(cleared.map((i) => i.number).sort());
    for (const s of sent) expect(s).toMatchObject({ invoicingMode: 'Offline', status: { code: 200 } });

    for (const invoice of cleared) {
      const number = invoice.clearance!.number!;
      expect(isValidKsefNumber(number)).toBe(true);
      const stored = await codes(invoice.id);
      expect(stored.qr!.label).toBe(number);
      expect(stored.qrCodes).toEqual([{ payload: expect.any(String), label: 'CERTYFIKAT' }]);
      const atK = sent.find((s) => s.ksefNumber === number)!;
      const hash = createHash('sha256').update(Buffer.from(atK.xml, 'utf8')).digest('base64url');
      expect(stored.qr!.payload.endsWith(`/${hash}`)).toBe(true);
      const check = await control<QrCheck>('/qr/verify', { url: stored.qrCodes![0]!.payload });
      expect(check).toMatchObject({ valid: true, invoice: { ksefNumber: number, invoicingMode: 'Offline' } });
    }
    const text = await pdfText(cleared[0]!.id);
    expect(text).toContain(`Numer KSeF: ${cleared[0]!.clearance!.number}`);
    expect(text).toContain('CERTYFIKAT');
    expect(text).not.toContain('OFFLINE');
  }, 60_000);
});
