import { createHash, randomUUID } from 'node:crypto';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileMappings } from '../src/records/mapping-engine.ts';
import { ALLEGRO_MAPPINGS, EMAG_MAPPINGS, allegroOrder, emagOrder } from '../src/records/test-fixtures.ts';
import { importRecords } from '../src/records/import.ts';
import { InvoiceDocuments } from '../src/invoicing/invoice-documents.ts';
import { ExchangeRates } from '../src/invoicing/exchange-rates.ts';
import { type RunningRatesSandbox, sandboxRate, startRatesSandbox } from '../src/invoicing/rates-sandbox.ts';
import type { FrozenDocument } from '../src/invoicing/frozen-document.ts';
import { SAMPLE_COMPANIES } from '../src/invoicing/seller-identity.ts';
import { createTenant } from '../src/tenancy/index.ts';
import { png, pdftotext } from './support/pdf-tools.ts';
import { startTestHost, type TestActor, type TestHost } from './support/test-host.ts';

/**
 * Issue 17, through the real host and database: frozen documents, seller identity first, VAT by
 * date and central-bank rates (a local NBP and BNR over HTTP).
 */

/** `GET /api/v1/invoices/:id` of a frozen invoice. */
type Doc = FrozenDocument & { frozen: boolean; id: string };

let host: TestHost;
let rates: RunningRatesSandbox;
let exchange: ExchangeRates;
const allegro = compileMappings(ALLEGRO_MAPPINGS);
const emag = compileMappings(EMAG_MAPPINGS);

const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  (await host.database.db.pool.query(sql, params)).rows as T[];

async function addIntegration(
  tenantId: string,
  pluginId = 'market-a',
  companyId: string | null = null,
  settings: Record<string, unknown> = {},
) {
  const id = randomUUID();
  await q(
    `insert into integrations (id, tenant_id, company_id, plugin_id, label, status, settings, created_at, updated_at)
     values ($1, $2, $3, $4, 'Account', 'disabled', $5::jsonb, now(), now())`,
    [id, tenantId, companyId, pluginId, JSON.stringify(settings)],
  );
  return id;
}

async function tenantWithUser(company?: typeof SAMPLE_COMPANIES.PL | typeof SAMPLE_COMPANIES.RO) {
  const tenant = await createTenant({
    em: host.database.db.orm.em.fork(),
    name: `Shop ${randomUUID().slice(0, 8)}`,
    ...(company ? { company } : {}),
  });
  const user = await host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
  return { tenantId: tenant.id, companyId: tenant.companyId, user };
}

async function pdfBytes(user: TestActor, id: string): Promise<Buffer> {
  const response = await fetch(`${host.url}/api/v1/invoices/${id}/pdf`, {
    headers: { authorization: `Bearer ${user.token}` },
  });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

/** An Allegro form moved to another marketplace currency and sale date. */
function allegroIn(i: number, currency: string, day: string) {
  const form = JSON.parse(JSON.stringify(allegroOrder(i, { delivery: false }))) as ReturnType<
    typeof allegroOrder
  >;
  const text = JSON.stringify(form)
    .replaceAll('"PLN"', `"${currency}"`)
    .replaceAll('2026-11-20T10:00:00.000Z', `${day}T10:00:00.000Z`)
    .replaceAll('2026-11-21T08:00:00.000Z', `${day}T12:00:00.000Z`);
  return JSON.parse(text) as typeof form;
}

const importAllegro = (
  tenantId: string,
  integrationId: string,
  forms: ReturnType<typeof allegroOrder>[],
  templateSetting?: string,
) =>
  importRecords({
    templateSetting,
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

beforeAll(async () => {
  rates = await startRatesSandbox({ today: () => '2026-12-01' });
  process.env.NBP_API_URL = rates.url;
  process.env.BNR_RATES_URL = rates.url;
  host = await startTestHost();
  exchange = new ExchangeRates({ pool: host.database.db.pool, nbpUrl: rates.url, bnrUrl: rates.url });
});
afterAll(async () => {
  await host?.stop();
  await rates?.close();
});

describe('frozen documents', () => {
  it('keeps the document and the PDF byte-identical whatever is edited after issue', async () => {
    const { tenantId, user } = await tenantWithUser(SAMPLE_COMPANIES.PL);
    const integrationId = await addIntegration(tenantId);
    const [outcome] = await importAllegro(tenantId, integrationId, [allegroOrder(5)]);
    expect(outcome).toMatchObject({ status: 'created' });
    const id = (outcome as { hostId: string }).hostId;

    const doc = await user.rest<Doc>(`/api/v1/invoices/${id}`);
    expect(doc.status).toBe(200);
    expect(doc.body).toMatchObject({
      frozen: true,
      type: 'invoice',
      series: 'FV',
      number: 'FV/2026/1',
      currency: 'PLN',
      exchangeRate: null,
      language: 'pl',
      seller: {
        legalName: SAMPLE_COMPANIES.PL.legalName,
        taxId: '7740001454',
        address: { street: 'ul. Marszałkowska 10/12', city: 'Warszawa', postalCode: '00-590', country: 'PL' },
        bankAccount: 'PL61109010140000071219812874',
        vatStatus: 'registered',
      },
      buyer: {
        name: 'Jan Kowalski 5',
        kind: 'business',
        taxIds: [{ type: 'TAX_ID', value: 'PL5250000005' }],
      },
      externalOrderId: allegroOrder(5).id,
    });
    expect(doc.body.lines[0]).toMatchObject({ unit: 'szt.', vatRate: '23.00' });
    expect(doc.body.vatSummary).toEqual([
      { vatRate: '23.00', net: doc.body.totals.net, vat: doc.body.totals.vat, gross: doc.body.totals.gross },
    ]);
    const pdf = await pdfBytes(user, id);

    // Everything the document came from changes: the company, the customer, the product.
    await user.trpc.tenant.updateCompany.mutate({
      name: 'Renamed',
      legalName: 'Zupełnie Inna sp. z o.o.',
      taxId: '5260250995',
      address: { street: 'ul. Nowa 1', city: 'Kraków', postalCode: '30-001', country: 'PL' },
      bankAccount: null,
    });
    await q(`update customers set name = 'Changed Buyer', tax_id = 'X' where tenant_id = $1`, [tenantId]);
    await q(`update products set name = 'Changed Product' where tenant_id = $1`, [tenantId]);
    await q(`update invoice_series set pattern = 'X/{n}' where tenant_id = $1`, [tenantId]);

    const after = await user.rest<Record<string, unknown>>(`/api/v1/invoices/${id}`);
    expect(after.body).toEqual(doc.body);
    expect((await pdfBytes(user, id)).equals(pdf)).toBe(true);
    // Not the cache: a renderer that never saw this invoice makes the same bytes from the snapshot.
    const fresh = new InvoiceDocuments({
      pool: host.database.db.pool,
      logger: host.app.services.logger,
      threads: 0,
    });
    try {
      const rendered = await fresh.pdf(id);
      expect(rendered!.equals(pdf)).toBe(true);
    } finally {
      await fresh.close();
    }
  });

  it('keeps an issued PDF byte-identical when its template is edited, its logo replaced or another template picked', async () => {
    const { tenantId, user } = await tenantWithUser(SAMPLE_COMPANIES.PL);
    const classic = await user.trpc.invoiceTemplates.create.mutate({
      name: 'Zwykły',
      layout: 'classic',
      footerNote: 'Sąd Rejonowy dla m.st. Warszawy, KRS 0000123456',
    });
    await user.trpc.invoiceTemplates.uploadLogo.mutate({
      id: classic.id,
      logo: png(4, 0x33).toString('base64'),
    });
    const modern = await user.trpc.invoiceTemplates.create.mutate({ name: 'Nowoczesny', layout: 'modern' });
    const integrationId = await addIntegration(tenantId, 'market-a', null, { invoiceTemplateId: classic.id });
    const [outcome] = await importAllegro(tenantId, integrationId, [allegroOrder(7)], 'invoiceTemplateId');
    const id = (outcome as { hostId: string }).hostId;

    const doc = await user.rest<Doc>(`/api/v1/invoices/${id}`);
    expect(doc.body.template).toMatchObject({
      id: classic.id,
      layout: 'classic',
      footerNote: 'Sąd Rejonowy dla m.st. Warszawy, KRS 0000123456',
      secondLanguage: null,
      logoSha256: createHash('sha256').update(png(4, 0x33)).digest('hex'),
    });
    const pdf = await pdfBytes(user, id);
    expect(await pdftotext(pdf)).toContain('Sąd Rejonowy dla m.st. Warszawy, KRS 0000123456');
    expect(pdf.toString('latin1')).toMatch(/\/Subtype \/Image/);

    // The template changes every way it can, then the integration picks another one.
    await user.trpc.invoiceTemplates.update.mutate({
      id: classic.id,
      layout: 'modern',
      footerNote: 'Nowa stopka',
      secondLanguage: 'en',
    });
    await user.trpc.invoiceTemplates.uploadLogo.mutate({
      id: classic.id,
      logo: png(8, 0x99).toString('base64'),
    });
    const again = await pdfBytes(user, id);
    await q(`update integrations set settings = $2::jsonb where id = $1`, [
      integrationId,
      JSON.stringify({ invoiceTemplateId: modern.id }),
    ]);
    expect(again.equals(pdf)).toBe(true);
    expect((await pdfBytes(user, id)).equals(pdf)).toBe(true);
    expect((await user.rest(`/api/v1/invoices/${id}`)).body).toEqual(doc.body);
    const fresh = new InvoiceDocuments({
      pool: host.database.db.pool,
      logger: host.app.services.logger,
      threads: 0,
      templateSettings: new Map([['market-a', 'invoiceTemplateId']]),
    });
    try {
      expect((await fresh.pdf(id))!.equals(pdf)).toBe(true);
    } finally {
      await fresh.close();
    }

    // The next invoice is issued with the template as it is now.
    const [next] = await importAllegro(tenantId, integrationId, [allegroOrder(8)], 'invoiceTemplateId');
    const nextId = (next as { hostId: string }).hostId;
    expect((await user.rest<Doc>(`/api/v1/invoices/${nextId}`)).body.template).toMatchObject({
      id: modern.id,
      layout: 'modern',
      logoSha256: null,
    });
    expect(await pdftotext(await pdfBytes(user, nextId))).not.toContain('Sąd Rejonowy');
  });

  it('lists documents with type, series and links, filtered by type, q, dates and currency', async () => {
    const { tenantId, user } = await tenantWithUser(SAMPLE_COMPANIES.PL);
    const integrationId = await addIntegration(tenantId);
    await importAllegro(tenantId, integrationId, [
      allegroOrder(10),
      allegroOrder(11),
      allegroIn(12, 'CZK', '2025-11-12'),
    ]);
    const list = await user.rest<{ invoices: Record<string, unknown>[]; total: number }>('/api/v1/invoices');
    expect(list.body.total).toBe(3);
    expect(list.body.invoices[0]).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        integrationId,
        pluginId: 'market-a',
        type: 'invoice',
        number: expect.any(String),
        series: expect.stringMatching(/^FV/),
        issueDate: expect.any(String),
        currency: expect.any(String),
        totalNet: expect.any(String),
        totalVat: expect.any(String),
        totalGross: expect.any(String),
        status: 'issued',
        externalOrderId: expect.any(String),
        buyerName: expect.any(String),
        corrects: null,
        clearance: null,
      }),
    );
    const czk = await user.rest<{ invoices: { number: string; series: string }[]; total: number }>(
      '/api/v1/invoices?currency=CZK',
    );
    expect(czk.body).toMatchObject({ total: 1, invoices: [{ number: 'FV-CZK/2025/1', series: 'FV-CZK' }] });
    const byOrder = await user.rest<{ total: number }>(`/api/v1/invoices?q=${allegroOrder(11).id.slice(-6)}`);
    expect(byOrder.body.total).toBe(1);
    const byBuyer = await user.rest<{ total: number }>('/api/v1/invoices?q=kowalski%2011');
    expect(byBuyer.body.total).toBe(1);
    const dated = await user.rest<{ total: number }>('/api/v1/invoices?from=2026-01-01&to=2026-12-31');
    expect(dated.body.total).toBe(2);
    expect((await user.rest<{ total: number }>('/api/v1/invoices?type=correction')).body.total).toBe(0);
    const bad = await user.rest<{ error: { issues: { path: string }[] } }>('/api/v1/invoices?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0]!.path).toBe('/from');
  });
});

describe('seller identity first', () => {
  it('holds orders while the company is incomplete, refuses wrong values at their field, issues on save', async () => {
    const { tenantId, user } = await tenantWithUser();
    const integrationId = await addIntegration(tenantId);
    const outcomes = await importAllegro(tenantId, integrationId, [
      allegroOrder(1),
      allegroOrder(2),
      allegroOrder(3),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect((outcomes[0] as { reason: string }).reason).toContain('awaits company details');
    expect(await q('select id from invoices where tenant_id = $1', [tenantId])).toEqual([]);
    const held = await user.rest<{
      held: { reason: string; externalOrderId: string; message: string }[];
      total: number;
      counts: Record<string, number>;
    }>('/api/v1/invoices/held');
    expect(held.body.total).toBe(3);
    expect(held.body.counts.company_incomplete).toBe(3);
    expect(held.body.held[0]!.message).toContain('legalName');
    const view = await user.trpc.tenant.get.query();
    expect(view.company).toMatchObject({ complete: false });

    // A tax id with a wrong check digit is refused at its field; nothing is saved.
    const error = await user.trpc.tenant.updateCompany
      .mutate({ name: 'Shop', legalName: 'Shop sp. z o.o.', taxId: '7740001455' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    const data = (error as TRPCClientError<never>).data as unknown as {
      code: string;
      issues: { path: string; message: string }[];
    };
    expect(data.code).toBe('BAD_REQUEST');
    expect(data.issues).toEqual([
      expect.objectContaining({ path: '/taxId', message: expect.stringContaining('check digit') }),
    ]);
    expect(
      (
        await q<{ tax_id: string | null }>('select tax_id from companies where tenant_id = $1', [tenantId])
      )[0]!.tax_id,
    ).toBeNull();

    // Partly filled: saved, still incomplete, orders still waiting.
    const partial = await user.trpc.tenant.updateCompany.mutate({
      name: 'Shop',
      legalName: 'Shop sp. z o.o.',
      taxId: '774-000-14-54',
    });
    expect(partial.company.complete).toBe(false);
    expect(partial.company.missing.map((m) => m.field)).toEqual([
      'address.street',
      'address.city',
      'address.postalCode',
    ]);
    expect(partial.released.issued).toBe(0);

    const done = await user.trpc.tenant.updateCompany.mutate({
      name: 'Shop',
      address: { street: 'ul. Prosta 1', city: 'Łódź', postalCode: '90-001', country: 'PL' },
    });
    expect(done.company.complete).toBe(true);
    expect(done.released).toEqual({ issued: 3, held: 0 });
    const issued = await q<{ number: string; external_order_id: string }>(
      'select number, external_order_id from invoices where tenant_id = $1 order by sequence',
      [tenantId],
    );
    expect(issued.map((r) => r.number)).toEqual(['FV/2026/1', 'FV/2026/2', 'FV/2026/3']);
    expect((await user.rest<{ total: number }>('/api/v1/invoices/held')).body.total).toBe(0);
    expect(
      await q(`select status from external_records where tenant_id = $1 and status <> 'invoiced'`, [
        tenantId,
      ]),
    ).toEqual([]);
    // The same orders again: nothing new.
    const repeat = await importAllegro(tenantId, integrationId, [allegroOrder(1)]);
    expect(repeat[0]!.status).toBe('unchanged');
  });

  it('issues held orders on the next run once the company is complete', async () => {
    const { tenantId } = await tenantWithUser();
    const integrationId = await addIntegration(tenantId);
    await importAllegro(tenantId, integrationId, [allegroOrder(1)]);
    const pl = SAMPLE_COMPANIES.PL;
    await q(`update companies set legal_name = $2, tax_id = $3, address = $4::jsonb where tenant_id = $1`, [
      tenantId,
      pl.legalName,
      pl.taxId,
      JSON.stringify(pl.address),
    ]);
    const next = await importAllegro(tenantId, integrationId, [allegroOrder(2)]);
    expect(next[0]!.status).toBe('created');
    const numbers = await q<{ number: string; external_order_id: string }>(
      'select number, external_order_id from invoices where tenant_id = $1 order by sequence',
      [tenantId],
    );
    expect(numbers).toEqual([
      { number: 'FV/2026/1', external_order_id: allegroOrder(1).id },
      { number: 'FV/2026/2', external_order_id: allegroOrder(2).id },
    ]);
  });
});

describe('VAT by date', () => {
  it('accepts 19 % on a Romanian sale of 2025-07-31 and holds one of 2025-08-02, naming order, line and valid rates', async () => {
    const { tenantId, user } = await tenantWithUser(SAMPLE_COMPANIES.RO);
    const integrationId = await addIntegration(tenantId, 'market-b');
    const before = emagOrder(1, { date: '2025-07-31 10:00:00' });
    const after = emagOrder(2, { date: '2025-08-02 10:00:00' });
    const outcomes = await importRecords({
      db: host.database.db,
      tenantId,
      integrationId,
      pluginId: 'market-b',
      mappingName: 'invoice',
      mappings: emag,
      settings: {},
      integration: { currency: 'RON' },
      rates: exchange,
      records: [before, after].map((o) => ({ externalId: String(o.id), revision: '1', data: o })),
    });
    expect(outcomes[0]).toMatchObject({ status: 'created' });
    expect(outcomes[1]).toMatchObject({ status: 'skipped' });
    const message = `order ${after.id}, line 1 "Cablu": VAT 19 % is not valid in RO on 2025-08-02; valid rates: 21, 11, 0 %.`;
    expect((outcomes[1] as { reason: string }).reason).toContain(message);
    const held = await user.rest<{ held: { reason: string; externalOrderId: string; message: string }[] }>(
      `/api/v1/invoices/held?integrationId=${integrationId}&reason=vat_rate`,
    );
    expect(held.body.held).toEqual([
      expect.objectContaining({
        reason: 'vat_rate',
        externalOrderId: String(after.id),
        message: expect.stringContaining(message),
      }),
    ]);
    expect(await q('select external_order_id from invoices where tenant_id = $1', [tenantId])).toEqual([
      { external_order_id: String(before.id) },
    ]);
    const doc = await user.rest<Doc>(`/api/v1/invoices/${(outcomes[0] as { hostId: string }).hostId}`);
    expect(doc.body).toMatchObject({
      language: 'ro',
      seller: { address: { county: 'RO-B', city: 'SECTOR1' } },
    });
  });
});

describe('series', () => {
  it('lets a company define a monthly series, an integration choose it through the API, and refuses bad ones at their field', async () => {
    const { tenantId, user } = await tenantWithUser(SAMPLE_COMPANIES.PL);
    const integrationId = await addIntegration(tenantId);
    const issues = async (call: Promise<unknown>) => {
      const error = await call.then(
        () => new Error('accepted'),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TRPCClientError);
      return (error as TRPCClientError<never>).data as unknown as {
        code: string;
        issues?: { path: string; message: string }[];
      };
    };
    // A monthly series must show the month, and {n} is required.
    const noMonth = await issues(
      user.trpc.invoiceSeries.create.mutate({ code: 'FM', pattern: 'FM/{yyyy}/{n}', reset: 'monthly' }),
    );
    expect(noMonth.issues).toEqual([
      expect.objectContaining({ path: '/pattern', message: expect.stringContaining('{mm}') }),
    ]);
    const noN = await issues(
      user.trpc.invoiceSeries.create.mutate({ code: 'FM', pattern: 'FM/{yyyy}/{mm}' }),
    );
    expect(noN.issues?.[0]?.path).toBe('/pattern');
    const monthly = await user.trpc.invoiceSeries.create.mutate({
      code: 'FM',
      pattern: 'FM/{yyyy}/{mm}/{n}',
      reset: 'monthly',
    });
    expect(monthly).toMatchObject({ code: 'FM', reset: 'monthly', documentType: 'invoice', issued: 0 });
    const duplicate = await issues(
      user.trpc.invoiceSeries.create.mutate({ code: 'FM', pattern: 'X/{n}', reset: 'never' }),
    );
    expect(duplicate).toMatchObject({ code: 'CONFLICT' });
    const corrections = await user.trpc.invoiceSeries.create.mutate({
      code: 'KOR',
      pattern: 'KOR/{yyyy}/{n}',
      documentType: 'correction',
    });
    // A correction series cannot number an integration's invoices; another tenant's series is unknown.
    const wrongType = await issues(
      user.trpc.invoiceSeries.choose.mutate({ integrationId, seriesId: corrections.id }),
    );
    expect(wrongType.issues?.[0]).toMatchObject({
      path: '/seriesId',
      message: expect.stringContaining('correction'),
    });
    const other = await tenantWithUser(SAMPLE_COMPANIES.PL);
    const foreign = await other.user.trpc.invoiceSeries.create.mutate({
      code: 'ZZ',
      pattern: 'ZZ/{yyyy}/{n}',
    });
    expect(
      (await issues(user.trpc.invoiceSeries.choose.mutate({ integrationId, seriesId: foreign.id })))
        .issues?.[0]?.path,
    ).toBe('/seriesId');

    await user.trpc.invoiceSeries.choose.mutate({ integrationId, seriesId: monthly.id });
    // `companyId`: whose series the console offers (the integration's company, here the default).
    expect(await user.trpc.invoiceSeries.chosen.query({ integrationId })).toEqual({
      integrationId,
      seriesId: monthly.id,
      companyId: monthly.companyId,
    });
    const outcomes = await importAllegro(tenantId, integrationId, [allegroOrder(51), allegroOrder(52)]);
    const numbers = await Promise.all(
      outcomes.map(
        async (o) => (await user.rest<Doc>(`/api/v1/invoices/${(o as { hostId: string }).hostId}`)).body,
      ),
    );
    const month = numbers[0]!.issueDate.slice(0, 7).replace('-', '/');
    expect(numbers.map((d) => [d.series, d.number]).sort()).toEqual([
      ['FM', `FM/${month}/1`],
      ['FM', `FM/${month}/2`],
    ]);
    // Numbered in: its reset is fixed now, its pattern may still change (for later numbers).
    const fixed = await issues(user.trpc.invoiceSeries.update.mutate({ id: monthly.id, reset: 'yearly' }));
    expect(fixed.issues?.[0]).toMatchObject({
      path: '/reset',
      message: expect.stringContaining('cannot change'),
    });
    expect((await user.trpc.invoiceSeries.list.query()).find((x) => x.id === monthly.id)).toMatchObject({
      issued: 2,
    });
    // Back to the default: the next invoice goes to the company's PLN series.
    await user.trpc.invoiceSeries.choose.mutate({ integrationId, seriesId: null });
    const [next] = await importAllegro(tenantId, integrationId, [allegroOrder(53)]);
    expect(
      (await user.rest<Doc>(`/api/v1/invoices/${(next as { hostId: string }).hostId}`)).body.series,
    ).toBe('FV');
  });
});

describe('reverse charge', () => {
  it('issues an intra-EU B2B sale to a buyer with a valid VAT id without VAT, with the legal mention; holds one whose id is invalid', async () => {
    const { tenantId, user } = await tenantWithUser(SAMPLE_COMPANIES.RO);
    const integrationId = await addIntegration(tenantId, 'market-b');
    // eMAG Bulgaria charges Bulgarian VAT (20 %), a rate Romania does not have.
    const bulgarian = (i: number, code: string) => {
      const order = emagOrder(i, { date: '2026-11-20 10:00:00' });
      order.customer.code = code;
      order.products = order.products.map((p) => ({ ...p, vat: '0.2000' }));
      return order;
    };
    const valid = bulgarian(41, 'BG175074752');
    const invalid = bulgarian(42, 'BG175074753');
    const outcomes = await importRecords({
      db: host.database.db,
      tenantId,
      integrationId,
      pluginId: 'market-b',
      mappingName: 'invoice',
      mappings: emag,
      settings: {},
      integration: { currency: 'RON' },
      rates: exchange,
      records: [valid, invalid].map((o) => ({ externalId: String(o.id), revision: '1', data: o })),
    });
    expect(outcomes.map((o) => o.status)).toEqual(['created', 'skipped']);
    const id = (outcomes[0] as { hostId: string }).hostId;
    const doc = await user.rest<Doc>(`/api/v1/invoices/${id}`);
    // Net as eMAG priced it (3 × 84.0336 and 16.8067), no VAT, gross = net.
    expect(doc.body).toMatchObject({
      reverseCharge: true,
      mentions: ['reverse_charge'],
      taxCountry: 'RO',
      oss: false,
      buyer: { kind: 'business', taxIds: [{ value: 'BG175074752' }] },
      totals: { net: '268.91', vat: '0.00', gross: '268.91' },
      vatSummary: [{ vatRate: '0.00', net: '268.91', vat: '0.00', gross: '268.91' }],
    });
    for (const line of doc.body.lines)
      expect(line).toMatchObject({ vatRate: '0.00', vat: '0.00', gross: line.net });
    // The invoice's rows say the same as its document.
    expect(
      await q(
        `select net_total::text as net, vat_total::text as vat, gross_total::text as gross from invoices where id = $1`,
        [id],
      ),
    ).toEqual([{ net: '268.91', vat: '0.00', gross: '268.91' }]);
    const text = await pdftotext(await pdfBytes(user, id));
    expect(text).toContain('Taxare inversă');
    expect(text).toContain('Total de plată: 268.91 RON');

    const held = await user.rest<{ held: { externalOrderId: string; reason: string; message: string }[] }>(
      `/api/v1/invoices/held?integrationId=${integrationId}`,
    );
    expect(held.body.held).toEqual([
      expect.objectContaining({
        externalOrderId: String(invalid.id),
        reason: 'vat_rate',
        message: expect.stringContaining(
          "The buyer's tax id BG175074753 is not a valid VAT id of BG (this EIK fails its check digit; check it for a typo), so the sale is not reverse-charged.",
        ),
      }),
    ]);
  });
});

describe('foreign currency', () => {
  it('states the NBP rate of the last business day before the tax point for a CZK Allegro order', async () => {
    const { tenantId, user } = await tenantWithUser(SAMPLE_COMPANIES.PL);
    const integrationId = await addIntegration(tenantId);
    // 2025-11-11 is Independence Day (no table): a sale on the 12th takes Monday the 10th's table.
    // A sale on Monday 2025-11-17 takes Friday the 14th's, across the weekend.
    const outcomes = await importAllegro(tenantId, integrationId, [
      allegroIn(21, 'CZK', '2025-11-12'),
      allegroIn(22, 'CZK', '2025-11-17'),
    ]);
    const [holiday, weekend] = await Promise.all(
      outcomes.map((o) => user.rest<Doc>(`/api/v1/invoices/${(o as { hostId: string }).hostId}`)),
    );
    expect(holiday!.body.exchangeRate).toMatchObject({
      source: 'NBP',
      table: expect.stringMatching(/^\d{3}\/A\/NBP\/2025$/),
      date: '2025-11-10',
      rate: String(sandboxRate(0.1712, '2025-11-10')),
      nationalCurrency: 'PLN',
    });
    expect(weekend!.body.exchangeRate).toMatchObject({ source: 'NBP', date: '2025-11-14' });
    const r = holiday!.body.exchangeRate!;
    const vatNational = (Number(holiday!.body.totals.vat) * Number(r.rate)).toFixed(2);
    expect(r.vatNational).toBe(vatNational);
    expect(holiday!.body.vatSummary[0]!.vatNational).toBe(vatNational);
    // Cached: a second order of the same day asks NBP nothing.
    const asked = rates.requests.length;
    await importAllegro(tenantId, integrationId, [allegroIn(23, 'CZK', '2025-11-12')]);
    expect(rates.requests.length).toBe(asked);
    // Stored: another process (a client that remembers nothing) reads the database, not NBP.
    const other = new ExchangeRates({ pool: host.database.db.pool, nbpUrl: rates.url, bnrUrl: rates.url });
    expect(await other.quote({ sellerCountry: 'PL', currency: 'CZK', taxPoint: '2025-11-12' })).toMatchObject(
      {
        date: '2025-11-10',
      },
    );
    expect(rates.requests.length).toBe(asked);
  });

  it('states the BNR rate across a weekend and a holiday for a EUR eMAG Bulgaria order', async () => {
    const { tenantId, user } = await tenantWithUser(SAMPLE_COMPANIES.RO);
    const integrationId = await addIntegration(tenantId, 'market-b');
    // Sale on 2025-12-02: 12-01 is Romania's National Day, 11-29/30 a weekend → Friday 2025-11-28.
    const order = emagOrder(7, { date: '2025-12-02 10:00:00' });
    order.products = order.products.map((p) => ({ ...p, vat: '0.2100' }));
    const [outcome] = await importRecords({
      db: host.database.db,
      tenantId,
      integrationId,
      pluginId: 'market-b',
      mappingName: 'invoice',
      mappings: emag,
      settings: {},
      integration: { currency: 'EUR' },
      rates: exchange,
      records: [{ externalId: String(order.id), revision: '1', data: order }],
    });
    expect(outcome).toMatchObject({ status: 'created' });
    const doc = await user.rest<Doc>(`/api/v1/invoices/${(outcome as { hostId: string }).hostId}`);
    expect(doc.body.exchangeRate).toMatchObject({
      source: 'BNR',
      date: '2025-11-28',
      table: 'BNR 2025-11-28',
      rate: sandboxRate(5.09, '2025-11-28').toFixed(4).replace(/0+$/, ''),
      nationalCurrency: 'RON',
    });
    expect(doc.body.number).toBe('FV-EUR/2025/1');
  });

  it('holds an order in an unknown currency or without a published table, with a located message', async () => {
    const { tenantId, user } = await tenantWithUser(SAMPLE_COMPANIES.PL);
    const integrationId = await addIntegration(tenantId);
    const outcomes = await importAllegro(tenantId, integrationId, [
      allegroIn(31, 'XYZ', '2025-11-12'),
      allegroIn(32, 'EUR', '2027-01-05'),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['skipped', 'skipped']);
    const held = await user.rest<{ held: { externalOrderId: string; reason: string; message: string }[] }>(
      '/api/v1/invoices/held?reason=exchange_rate',
    );
    expect(held.body.held).toEqual([
      expect.objectContaining({
        externalOrderId: allegroIn(31, 'XYZ', '2025-11-12').id,
        message: expect.stringContaining('XYZ is not in NBP table A'),
      }),
      expect.objectContaining({
        externalOrderId: allegroIn(32, 'EUR', '2027-01-05').id,
        message: expect.stringContaining(
          'NBP published no table A rate for EUR between 2026-12-25 and 2027-01-04',
        ),
      }),
    ]);
    expect(await q('select id from invoices where tenant_id = $1', [tenantId])).toEqual([]);
    expect(
      await q(
        'select c.period from invoice_series s join invoice_series_counters c on c.series_id = s.id where s.tenant_id = $1',
        [tenantId],
      ),
    ).toEqual([]);
  });
});
