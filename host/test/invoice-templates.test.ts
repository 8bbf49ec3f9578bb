import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvoiceSeries } from '../src/db/entities/invoice-series.entity.ts';
import { InvoiceLine } from '../src/db/entities/invoice-line.entity.ts';
import { Invoice } from '../src/db/entities/invoice.entity.ts';
import { MAX_LOGO_BYTES } from '../src/invoicing/invoice-templates.ts';
import { png, pdftotext } from './support/pdf-tools.ts';
import { startTestHost, type TestActor, type TestHost } from './support/test-host.ts';

type ErrorBody = {
  error: { code: string; message: string; issues?: { path: string; code: string; message: string }[] };
};

const trpcIssue = (error: unknown) => {
  expect(error).toBeInstanceOf(TRPCClientError);
  return (error as TRPCClientError<never>).data as unknown as {
    code: string;
    issues?: { path: string; message: string }[];
  };
};

/**
 * Invoice templates (issue 17): a company's layouts, logo and footer note, offered by a manifest
 * setting marked `x-host-choices: "invoiceTemplates"`, checked on save, and used by the PDF.
 */
describe('invoice templates', () => {
  let host: TestHost;
  let admin: TestActor;
  let user: TestActor;
  let tenantId: string;
  let classicId: string;
  let modernId: string;

  beforeAll(async () => {
    host = await startTestHost();
    const tenant = await host.createTenant('Template Co');
    tenantId = tenant.id;
    admin = await host.createActor({ role: 'tenant_admin', tenantId });
    user = await host.createActor({ role: 'tenant_user', tenantId });
  });
  afterAll(() => host?.stop());

  it('creates, lists and updates a company’s templates; tenant users only read them', async () => {
    const classic = await admin.trpc.invoiceTemplates.create.mutate({
      name: 'Zwykły',
      layout: 'classic',
      footerNote: 'Sąd Rejonowy dla m.st. Warszawy, KRS 0000123456',
    });
    const modern = await admin.trpc.invoiceTemplates.create.mutate({
      name: 'Nowoczesny',
      layout: 'modern',
      secondLanguage: 'en',
    });
    classicId = classic.id;
    modernId = modern.id;
    expect(classic).toMatchObject({ layout: 'classic', logo: null, secondLanguage: null });
    const list = await user.trpc.invoiceTemplates.list.query();
    expect(list.map((t) => t.name)).toEqual(['Nowoczesny', 'Zwykły']);

    const updated = await admin.trpc.invoiceTemplates.update.mutate({
      id: modernId,
      footerNote: 'Dziękujemy za zakupy!',
    });
    expect(updated).toMatchObject({
      name: 'Nowoczesny',
      layout: 'modern',
      footerNote: 'Dziękujemy za zakupy!',
    });

    const duplicate = await admin.trpc.invoiceTemplates.create
      .mutate({ name: 'Zwykły', layout: 'modern' })
      .catch((e: unknown) => e);
    expect(trpcIssue(duplicate).code).toBe('CONFLICT');
    const denied = await user.trpc.invoiceTemplates.create
      .mutate({ name: 'X', layout: 'classic' })
      .catch((e: unknown) => e);
    expect(trpcIssue(denied).code).toBe('FORBIDDEN');
    const badLayout = await admin.trpc.invoiceTemplates.create
      .mutate({ name: 'Y', layout: 'fancy' as 'classic' })
      .catch((e: unknown) => e);
    expect(trpcIssue(badLayout).code).toBe('BAD_REQUEST');
  });

  it('takes a PNG or JPEG logo within the size limit and refuses anything else, naming the field', async () => {
    const saved = await admin.trpc.invoiceTemplates.uploadLogo.mutate({
      id: modernId,
      logo: png().toString('base64'),
    });
    expect(saved.logo).toEqual({ type: 'image/png', bytes: png().length });

    const refusals: [string, string, RegExp][] = [
      ['not an image', Buffer.from('%PDF-1.4 hello').toString('base64'), /not a PNG or JPEG/],
      ['a broken PNG', png().subarray(0, 40).toString('base64'), /cannot be read/],
      [
        'too large',
        Buffer.concat([png(), Buffer.alloc(MAX_LOGO_BYTES)]).toString('base64'),
        /at most|over the/,
      ],
    ];
    for (const [what, logo, message] of refusals) {
      const error = await admin.trpc.invoiceTemplates.uploadLogo
        .mutate({ id: classicId, logo })
        .catch((e: unknown) => e);
      const data = trpcIssue(error);
      expect(data.code, what).toBe('BAD_REQUEST');
      expect(JSON.stringify(data), what).toMatch(message);
      expect(JSON.stringify(data), what).toContain('logo');
    }
    const [classic] = (await admin.trpc.invoiceTemplates.list.query()).filter((t) => t.id === classicId);
    expect(classic!.logo).toBeNull();
  });

  it('offers the tenant’s templates in the settings form and refuses an unknown id on save', async () => {
    const [plugin] = (await user.trpc.plugins.list.query()).filter((p) => p.id === 'fixture-basic');
    const property = (plugin!.settingsSchema.properties as Record<string, Record<string, unknown>>)
      .invoiceTemplateId!;
    expect(property.enum).toEqual([null, modernId, classicId]);
    expect(property['x-ui']).toMatchObject({
      widget: 'select',
      enumLabels: { [classicId]: 'Zwykły (classic)' },
    });

    const unknown = await user.rest<ErrorBody>('/api/v1/fixture-basic/integrations', {
      method: 'POST',
      body: { settings: { username: 'seller-t', password: 'secret-pass-1', invoiceTemplateId: 'tpl-1' } },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.issues).toEqual([
      expect.objectContaining({ path: '/settings/invoiceTemplateId', code: 'SETTINGS_NOT_ALLOWED' }),
    ]);
    expect(unknown.body.error.issues![0]!.message).toContain('Zwykły');

    const created = await user.rest<{ id: string }>('/api/v1/fixture-basic/integrations', {
      method: 'POST',
      body: { settings: { username: 'seller-t', password: 'secret-pass-1', invoiceTemplateId: classicId } },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id;

    const view = await user.trpc.integrations.getSettings.query({ id });
    expect(
      (view.schema as { properties: Record<string, { enum?: unknown[] }> }).properties.invoiceTemplateId!
        .enum,
    ).toContain(classicId);
    const put = await user.rest<ErrorBody>(`/api/v1/fixture-basic/settings/${id}`, {
      method: 'PUT',
      body: { settings: { invoiceTemplateId: '5d0c5a3e-0000-4000-8000-000000000000' } },
    });
    expect(put.status).toBe(400);
    expect(put.body.error.issues?.map((i) => i.path)).toEqual(['/settings/invoiceTemplateId']);

    // Another tenant's template is not one of this tenant's.
    const other = await host.createTenant('Other Co');
    const otherAdmin = await host.createActor({ role: 'tenant_admin', tenantId: other.id });
    const foreign = await otherAdmin.trpc.invoiceTemplates.create.mutate({ name: 'Obcy', layout: 'classic' });
    const stolen = await user.rest<ErrorBody>(`/api/v1/fixture-basic/settings/${id}`, {
      method: 'PUT',
      body: { settings: { invoiceTemplateId: foreign.id } },
    });
    expect(stolen.status).toBe(400);
  });

  it('renders an integration’s invoices with the template its setting picks', async () => {
    const [integration] = (await user.rest<{ id: string }[]>('/api/v1/fixture-basic/integrations')).body;
    const em = host.database.db.orm.em.fork();
    const series = await em.findOneOrFail(InvoiceSeries, { tenantId });
    const invoice = em.create(Invoice, {
      tenantId,
      companyId: series.companyId,
      seriesId: series.id,
      sequence: 1,
      number: 'FV/2026/1',
      integrationId: integration!.id,
      pluginId: 'fixture-basic',
      externalOrderId: 'ORDER-T1',
      buyer: { name: 'Zażółć Gęślą' },
      issueDate: '2026-11-22',
      saleDate: '2026-11-22',
      currency: 'PLN',
      netTotal: '10.00',
      vatTotal: '2.30',
      grossTotal: '12.30',
    });
    await em.flush();
    em.create(InvoiceLine, {
      invoiceId: invoice.id,
      position: 1,
      name: 'Łyżka',
      quantity: '1.000',
      unitNet: '10.0000',
      unitGross: '12.3000',
      vatRate: '23.00',
      netAmount: '10.00',
      vatAmount: '2.30',
      grossAmount: '12.30',
    });
    await em.flush();
    const download = async () => {
      const res = await fetch(`${host.url}/api/v1/invoices/${invoice.id}/pdf`, {
        headers: { authorization: `Bearer ${user.token}` },
      });
      expect(res.status).toBe(200);
      return Buffer.from(await res.arrayBuffer());
    };
    const classic = await download();
    const classicText = await pdftotext(classic);
    expect(classicText).toContain('Faktura VAT FV/2026/1');
    expect(classicText).toContain('Sąd Rejonowy dla m.st. Warszawy, KRS 0000123456');
    expect(Buffer.compare(classic, await download())).toBe(0);

    const switched = await user.rest(`/api/v1/fixture-basic/settings/${integration!.id}`, {
      method: 'PUT',
      body: { settings: { invoiceTemplateId: modernId } },
    });
    expect(switched.status, switched.text).toBe(200);
    const modern = await download();
    const modernText = await pdftotext(modern);
    expect(modernText).toContain('Faktura VAT / Invoice FV/2026/1');
    expect(modernText).toContain('Dziękujemy za zakupy!');
    expect(modern.toString('latin1')).toMatch(/\/Subtype \/Image/);

    const none = await user.rest(`/api/v1/fixture-basic/settings/${integration!.id}`, {
      method: 'PUT',
      body: { settings: { invoiceTemplateId: null } },
    });
    expect(none.status, none.text).toBe(200);
    const plain = await pdftotext(await download());
    expect(plain).not.toContain('Dziękujemy');
    expect(plain).not.toContain('Sąd Rejonowy');
  });
});
