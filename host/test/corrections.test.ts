import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileMappings } from '../src/records/mapping-engine.ts';
import { ALLEGRO_MAPPINGS, allegroOrder } from '../src/records/test-fixtures.ts';
import { importRecords } from '../src/records/import.ts';
import { ExchangeRates } from '../src/invoicing/exchange-rates.ts';
import { type RunningRatesSandbox, startRatesSandbox } from '../src/invoicing/rates-sandbox.ts';
import type { FrozenDocument } from '../src/invoicing/frozen-document.ts';
import { SAMPLE_COMPANIES } from '../src/invoicing/seller-identity.ts';
import { Decimal } from '../src/invoicing/money.ts';
import { createTenant } from '../src/tenancy/index.ts';
import { startTestHost, type TestActor, type TestHost } from './support/test-host.ts';

/**
 * Issue 21, through the real host and database: corrections are their own frozen documents in
 * their own series, linked both ways, issued once per key, never editing the invoice; a
 * cancellation after issue is a correction to zero; invoice + corrections = what was paid.
 */

type Doc = FrozenDocument & {
  id: string;
  correctedBy: string[];
  status: string;
  correction?: { kind: string; reason: string; correctedNumber: string; correctedIssueDate: string };
};

let host: TestHost;
let rates: RunningRatesSandbox;
let exchange: ExchangeRates;
const allegro = compileMappings(ALLEGRO_MAPPINGS);

const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  (await host.database.db.pool.query(sql, params)).rows as T[];

async function setup() {
  const tenant = await createTenant({
    em: host.database.db.orm.em.fork(),
    name: `Shop ${randomUUID().slice(0, 8)}`,
    company: SAMPLE_COMPANIES.PL,
  });
  const user = await host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
  const integrationId = randomUUID();
  await q(
    `insert into integrations (id, tenant_id, company_id, plugin_id, label, status, settings, created_at, updated_at)
     values ($1, $2, null, 'market-a', 'Account', 'disabled', '{}'::jsonb, now(), now())`,
    [integrationId, tenant.id],
  );
  return { tenantId: tenant.id, integrationId, user };
}

const importForms = (tenantId: string, integrationId: string, forms: ReturnType<typeof allegroOrder>[]) =>
  importRecords({
    db: host.database.db,
    tenantId,
    integrationId,
    pluginId: 'market-a',
    mappingName: 'invoice',
    mappings: allegro,
    settings: { defaultVatRate: 23 },
    rates: exchange,
    records: forms.map((f) => ({ externalId: f.id, revision: f.revision, data: f })),
  });

async function pdftotext(pdf: Buffer): Promise<string> {
  const child = spawn('pdftotext', ['-raw', '-enc', 'UTF-8', '-', '-']);
  const out: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`pdftotext exited ${code}`))));
  });
  child.stdin.end(pdf);
  await done;
  return Buffer.concat(out).toString('utf8');
}

async function pdfOf(user: TestActor, id: string): Promise<Buffer> {
  const response = await fetch(`${host.url}/api/v1/invoices/${id}/pdf`, {
    headers: { authorization: `Bearer ${user.token}` },
  });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

const sum = (...amounts: string[]) => amounts.reduce((s, a) => s.plus(a), new Decimal(0)).toFixed(2);

beforeAll(async () => {
  rates = await startRatesSandbox({ today: () => '2026-12-01' });
  host = await startTestHost();
  exchange = new ExchangeRates({ pool: host.database.db.pool, nbpUrl: rates.url, bnrUrl: rates.url });
});
afterAll(async () => {
  await host?.stop();
  await rates?.close();
});

describe('corrections', () => {
  it('corrects exactly the returned lines in its own series, linked both ways, once per key', async () => {
    const { tenantId, integrationId, user } = await setup();
    const form = allegroOrder(7, { lines: 3, delivery: false });
    const [outcome] = await importForms(tenantId, integrationId, [form]);
    const invoiceId = (outcome as { hostId: string }).hostId;
    const before = await user.rest<Doc>(`/api/v1/invoices/${invoiceId}`);
    expect(before.body.correctedBy).toEqual([]);
    const line2 = before.body.lines[1]!;
    expect(Number(line2.quantity)).toBeGreaterThanOrEqual(2);

    const request = {
      key: 'return-1',
      kind: 'return',
      reason: 'Zwrot towaru przez kupującego',
      lines: [{ position: 2, quantity: 1 }],
    };
    const issued = await user.rest<{ id: string; number: string; created: boolean }>(
      `/api/v1/invoices/${invoiceId}/corrections`,
      { method: 'POST', body: request },
    );
    expect(issued.status, issued.text).toBe(201);
    expect(issued.body).toMatchObject({ number: 'FK/2026/1', created: true });
    const again = await user.rest<{ id: string; created: boolean }>(
      `/api/v1/invoices/${invoiceId}/corrections`,
      {
        method: 'POST',
        body: request,
      },
    );
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: issued.body.id, created: false });

    const correction = await user.rest<Doc>(`/api/v1/invoices/${issued.body.id}`);
    expect(correction.body).toMatchObject({
      type: 'correction',
      series: 'FK',
      number: 'FK/2026/1',
      corrects: invoiceId,
      correctedBy: [],
      externalOrderId: form.id,
      correction: {
        kind: 'return',
        reason: 'Zwrot towaru przez kupującego',
        correctedNumber: before.body.number,
        correctedIssueDate: before.body.issueDate,
      },
    });
    expect(correction.body.lines).toHaveLength(1);
    const unitGross = new Decimal(line2.gross).dividedBy(line2.quantity).toDecimalPlaces(2).toFixed(2);
    expect(correction.body.lines[0]).toMatchObject({ position: 2, name: line2.name, quantity: '-1.000' });
    expect(correction.body.lines[0]!.gross).toBe(new Decimal(unitGross).negated().toFixed(2));
    expect(correction.body.totals.gross).toBe(correction.body.lines[0]!.gross);

    const after = await user.rest<Doc>(`/api/v1/invoices/${invoiceId}`);
    expect(after.body.correctedBy).toEqual([issued.body.id]);
    // Nothing of the invoice changed but its links.
    expect({ ...after.body, correctedBy: [] }).toEqual(before.body);

    const list = await user.rest<{ invoices: { id: string; type: string; corrects: string | null }[] }>(
      `/api/v1/invoices?type=correction&integrationId=${integrationId}`,
    );
    expect(list.body.invoices).toEqual([
      expect.objectContaining({ id: issued.body.id, type: 'correction', corrects: invoiceId }),
    ]);

    const text = await pdftotext(await pdfOf(user, issued.body.id));
    expect(text).toContain('Faktura korygująca FK/2026/1');
    expect(text).toContain(`Dotyczy faktury nr ${before.body.number} z dnia ${before.body.issueDate}`);
    expect(text).toContain('Przyczyna korekty: Zwrot towaru przez kupującego');
    const invoiceText = await pdftotext(await pdfOf(user, invoiceId));
    expect(invoiceText).not.toContain('ANULOWANA');
  });

  it('refuses bad corrections with what to fix, issuing nothing', async () => {
    const { tenantId, integrationId, user } = await setup();
    const [outcome] = await importForms(tenantId, integrationId, [
      allegroOrder(8, { lines: 2, delivery: false }),
    ]);
    const invoiceId = (outcome as { hostId: string }).hostId;
    const doc = await user.rest<Doc>(`/api/v1/invoices/${invoiceId}`);
    const sold = Number(doc.body.lines[0]!.quantity);
    const post = (body: unknown) =>
      user.rest<{ error: { code: string; message: string } }>(`/api/v1/invoices/${invoiceId}/corrections`, {
        method: 'POST',
        body,
      });
    const tooMany = await post({
      key: 'a',
      kind: 'return',
      reason: 'Zwrot',
      lines: [{ position: 1, quantity: sold + 1 }],
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toContain(`was sold ${sold}`);
    expect(tooMany.body.error.message).toContain(`${sold + 1} cannot come back`);
    const noLine = await post({
      key: 'b',
      kind: 'return',
      reason: 'Zwrot',
      lines: [{ position: 9, quantity: 1 }],
    });
    expect(noLine.status).toBe(400);
    expect(noLine.body.error.message).toContain('has no line 9');
    const overRefund = await post({
      key: 'c',
      kind: 'refund',
      reason: 'Rabat',
      lines: [{ position: 1, amount: sum(doc.body.lines[0]!.gross, '0.01') }],
    });
    expect(overRefund.status).toBe(400);
    expect(overRefund.body.error.message).toContain('is above the');
    const noReason = await post({
      key: 'd',
      kind: 'return',
      reason: '',
      lines: [{ position: 1, quantity: 1 }],
    });
    expect(noReason.status).toBe(400);
    expect(await q('select 1 from invoices where corrects = $1', [invoiceId])).toEqual([]);
    expect(
      await q(`select 1 from invoice_series where tenant_id = $1 and document_type = 'correction'`, [
        tenantId,
      ]),
    ).toEqual([]);
  });

  it('cancels an invoiced order with one correction to zero; invoice + corrections = what was paid', async () => {
    const { tenantId, integrationId, user } = await setup();
    const form = allegroOrder(9, { lines: 3, delivery: true });
    const [outcome] = await importForms(tenantId, integrationId, [form]);
    const invoiceId = (outcome as { hostId: string }).hostId;
    const doc = await user.rest<Doc>(`/api/v1/invoices/${invoiceId}`);

    // A partial refund first (an amount on one line), then the buyer cancels the rest.
    const refund = await user.rest<{ id: string; totals: { gross: string } }>(
      `/api/v1/invoices/${invoiceId}/corrections`,
      {
        method: 'POST',
        body: {
          key: 'refund-1',
          kind: 'refund',
          reason: 'Częściowy zwrot',
          lines: [{ position: 1, amount: '0.01' }],
        },
      },
    );
    expect(refund.status, refund.text).toBe(201);
    expect(refund.body.totals.gross).toBe('-0.01');
    expect(sum(doc.body.totals.gross, refund.body.totals.gross)).toBe(
      new Decimal(form.summary.totalToPay.amount).minus('0.01').toFixed(2),
    );

    const cancelled = { ...form, status: 'CANCELLED', revision: 'r2' };
    const [second] = await importForms(tenantId, integrationId, [cancelled]);
    expect(second).toMatchObject({ status: 'updated', hostId: invoiceId });
    // A repeated or later revision of the cancellation issues nothing more.
    await importForms(tenantId, integrationId, [
      { ...cancelled, revision: 'r3', updatedAt: '2026-11-22T08:00:00.000Z' },
    ]);

    const after = await user.rest<Doc>(`/api/v1/invoices/${invoiceId}`);
    expect(after.body.status).toBe('issued');
    expect(after.body.correctedBy).toHaveLength(2);
    const zero = await user.rest<Doc>(`/api/v1/invoices/${after.body.correctedBy[1]}`);
    expect(zero.body).toMatchObject({
      type: 'correction',
      corrects: invoiceId,
      correction: { kind: 'cancellation', reason: 'Anulowanie zamówienia po wystawieniu faktury' },
    });
    expect(zero.body.lines).toHaveLength(doc.body.lines.length);
    expect(sum(doc.body.totals.gross, refund.body.totals.gross, zero.body.totals.gross)).toBe('0.00');
    const refundDoc = await user.rest<Doc>(`/api/v1/invoices/${refund.body.id}`);
    expect(sum(doc.body.totals.net, refundDoc.body.totals.net, zero.body.totals.net)).toBe('0.00');
    expect(sum(doc.body.totals.vat, refundDoc.body.totals.vat, zero.body.totals.vat)).toBe('0.00');
    expect(await q(`select status from external_records where integration_id = $1`, [integrationId])).toEqual(
      [{ status: 'cancelled' }],
    );
    // Correcting a zero invoice again is refused: nothing is left.
    const more = await user.rest<{ error: { code: string } }>(`/api/v1/invoices/${invoiceId}/corrections`, {
      method: 'POST',
      body: { key: 'late', kind: 'return', reason: 'Zwrot', lines: [{ position: 2, quantity: 1 }] },
    });
    expect(more.status).toBe(400);
    const all = await user.rest<{ error: { code: string } }>(`/api/v1/invoices/${invoiceId}/corrections`, {
      method: 'POST',
      body: { key: 'late-all', kind: 'cancellation', reason: 'Anulowanie' },
    });
    expect(all.status).toBe(409);
  });
});
