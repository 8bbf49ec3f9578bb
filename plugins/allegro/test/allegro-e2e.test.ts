import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedLinesByOrder, type TestActor } from '@mch/host/testing';
import {
  allForms,
  connectAccount,
  consent,
  sandboxState,
  startAllegroWorld,
  syncAndWait,
  type AllegroWorld,
} from './support.ts';

interface InvoiceView {
  id: string;
  number: string;
  grossTotal: string;
  currency: string;
  externalOrderId: string | null;
  status: string;
}

async function invoicesOf(user: TestActor, integrationId: string): Promise<InvoiceView[]> {
  const out: InvoiceView[] = [];
  for (let offset = 0; ; offset += 200) {
    const { body } = await user.rest<{ invoices: InvoiceView[]; total: number }>(
      `/api/v1/invoices?integrationId=${integrationId}&limit=200&offset=${offset}`,
    );
    out.push(...body.invoices);
    if (out.length >= body.total || body.invoices.length === 0) return out;
  }
}

interface FormDetail {
  id: string;
  buyer: { id: string };
  invoice: {
    required: boolean;
    address?: {
      countryCode?: string;
      company?: {
        name: string;
        taxId?: string;
        vatPayerStatus?: string;
        ids: { type: string; value: string }[];
      };
    };
  };
  delivery: { cost: { amount: string } };
  lineItems: {
    quantity: number;
    offer: { id: string; name: string };
    tax?: { rate?: string };
    deposit?: { price: { amount: string } };
    selectedAdditionalServices?: { name: string; quantity: number; price: { amount: string } }[];
  }[];
  summary: { totalToPay: { currency: string } };
}

/** Whether the Polish seller's invoice of `form` is reverse-charged: a foreign VAT-payer business. */
function reverseCharged(form: FormDetail): boolean {
  const address = form.invoice.required ? form.invoice.address : undefined;
  return Boolean(
    address?.company && address.company.vatPayerStatus === 'ACTIVE' && address.countryCode !== 'PL',
  );
}

/**
 * The invoices' lines, customers and products as the manifest maps them (issue: "correct invoices
 * (totals, VAT, currency, customers, products)"): one line per line item at its offer's VAT rate
 * (else the 23% default) linked to the offer's product, plus delivery at the highest rate; the
 * buyer as the customer, with the company's name and tax id when an invoice was asked for.
 */
async function expectLinesCustomersProducts(world: AllegroWorld, integrationId: string, ready: unknown[]) {
  const linesOf = await storedLinesByOrder(world.host.database.db, integrationId);
  for (const form of ready as FormDetail[]) {
    const lines = linesOf.get(form.id) ?? [];
    const delivery = Number(form.delivery.cost.amount) > 0;
    const deposits = form.lineItems.filter((item) => item.deposit);
    const services = form.lineItems.flatMap((item) => item.selectedAdditionalServices ?? []);
    expect(lines, `lines of ${form.id}`).toHaveLength(
      form.lineItems.length + deposits.length + services.length + (delivery ? 1 : 0),
    );
    // An allegro-cz/-sk/-hu business with an active VAT id buys under reverse charge from the
    // Polish seller: every line without VAT (records/issuance.ts); the amount due stays the same.
    const rates = form.lineItems.map((item) => (reverseCharged(form) ? 0 : Number(item.tax?.rate ?? 23)));
    form.lineItems.forEach((item, n) => {
      const line = lines[n]!;
      expect(line.name).toBe(item.offer.name);
      expect(Number(line.quantity)).toBe(item.quantity);
      expect(Number(line.vat_rate)).toBe(rates[n]);
      expect(line.product_external_id).toBe(item.offer.id);
    });
    let at = form.lineItems.length;
    // Deposits (outside VAT: 0 %), then additional services and delivery at the highest rate.
    for (const item of deposits) {
      const line = lines[at++]!;
      expect(line.name).toBe(`Kaucja: ${item.offer.name}`);
      expect(Number(line.vat_rate)).toBe(0);
      expect(line.product_external_id).toBeNull();
    }
    for (const service of services) {
      const line = lines[at++]!;
      expect(line.name).toBe(service.name);
      expect(Number(line.quantity)).toBe(service.quantity);
      expect(Number(line.vat_rate)).toBe(Math.max(...rates));
    }
    if (delivery) {
      const line = lines[at]!;
      expect(line.name).toMatch(/^Dostawa: /);
      expect(Number(line.vat_rate)).toBe(Math.max(...rates));
      expect(line.product_external_id).toBeNull();
    }
    expect(lines[0]!.customer_external_id).toBe(form.buyer.id);
    const company = form.invoice.required ? form.invoice.address?.company : undefined;
    // The tax id comes from company.ids[] (taxId is deprecated): the VAT number where there is one.
    const vatTypes = ['PL_NIP', 'CZ_DIC', 'SK_IC_DPH', 'HU_ADOSZAM', 'VAT_EU'];
    const taxId =
      company?.ids.find((i) => vatTypes.includes(i.type))?.value ?? company?.ids[0]?.value ?? company?.taxId;
    expect(lines[0]!.customer_tax_id).toBe(taxId ?? null);
    expect(lines[0]!.customer_company).toBe(company?.name ?? null);
  }
}

describe('Allegro end to end: OAuth accounts, orders into invoices, upload once', () => {
  let world: AllegroWorld;
  let user: TestActor;
  const ids: string[] = [];

  beforeAll(async () => {
    world = await startAllegroWorld({ orders: 500 });
    const tenant = await world.host.createTenant();
    user = await world.host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
  });
  afterAll(() => world?.stop());

  it('connects two accounts through the consent page, labelled by their login', async () => {
    ids.push(await connectAccount(user, 0), await connectAccount(user, 1));
    expect(new Set(ids).size).toBe(2);
    const list = await user.trpc.integrations.list.query({ pluginId: 'allegro' });
    expect(list.map((i) => i.id).sort()).toEqual([...ids].sort());
    for (const integration of list) expect(integration.status).toBe('active');
  });

  it('reconnecting the same account renews it instead of adding one', async () => {
    expect(await connectAccount(user, 0)).toBe(ids[0]);
    expect(await user.trpc.integrations.list.query({ pluginId: 'allegro' })).toHaveLength(2);
  });

  it('syncs 1 000 orders into correct invoices, and a second sync creates nothing', async () => {
    expect(ids).toHaveLength(2);
    const readyForms: { id: string; invoice: { required: boolean } }[] = [];
    const currencies = new Set<string>();
    for (const [account, id] of ids.entries()) {
      const run = await syncAndWait(user, id, 300_000);
      expect(run.error).toBeNull();
      expect(run.status).toBe('succeeded');
      const forms = await allForms(world.sandbox, account);
      const ready = forms.filter((f) => f.status === 'READY_FOR_PROCESSING');
      readyForms.push(...(ready as unknown as typeof readyForms));
      const invoices = await invoicesOf(user, id);
      invoices.forEach((i) => currencies.add(i.currency));
      expect(invoices).toHaveLength(ready.length);
      const byOrder = new Map(invoices.map((i) => [i.externalOrderId, i]));
      for (const form of ready) {
        const invoice = byOrder.get(form.id);
        expect(invoice, `invoice of order ${form.id}`).toBeDefined();
        expect(invoice!.grossTotal).toBe(form.summary.totalToPay.amount);
        expect(invoice!.currency).toBe(form.summary.totalToPay.currency);
      }
      await expectLinesCustomersProducts(world, id, ready);
      const again = await syncAndWait(user, id, 300_000);
      expect(again.status).toBe('succeeded');
      expect(again.counts.created ?? 0).toBe(0);
      expect(await invoicesOf(user, id)).toHaveLength(ready.length);
    }
    const state = await sandboxState(world.sandbox);
    const uploads = state.effects.filter((e) => e.kind === 'invoice.file_uploaded');
    const created = state.effects.filter((e) => e.kind === 'invoice.created');
    expect(new Set(uploads.map((e) => e.target)).size).toBe(uploads.length);
    expect(new Set(created.map((e) => e.target)).size).toBe(created.length);
    // Exactly the orders whose buyer asked for an invoice got one, and its file; the others none.
    const asked = readyForms
      .filter((f) => f.invoice.required)
      .map((f) => f.id)
      .sort();
    expect(asked.length).toBeGreaterThan(50);
    expect(created.map((e) => e.target).sort()).toEqual(asked);
    expect(uploads.map((e) => e.target).sort()).toEqual(asked);
    // allegro-cz, -sk and -hu orders are invoiced in their own currencies, and their products are
    // priced in them too (no hard-coded PLN).
    expect([...currencies].sort()).toEqual(['CZK', 'EUR', 'HUF', 'PLN']);
    const { rows: products } = await world.host.database.db.pool.query<{ currency: string | null }>(
      `select distinct p.currency from products p
         join invoice_lines l on l.product_id = p.id join invoices i on i.id = l.invoice_id
        where i.integration_id = any($1::uuid[])`,
      [ids],
    );
    // (A product sold on several marketplaces keeps the currency of the order that touched it last.)
    const productCurrencies = products.map((p) => p.currency ?? '');
    expect(productCurrencies.every((c) => ['CZK', 'EUR', 'HUF', 'PLN'].includes(c))).toBe(true);
    expect(productCurrencies.some((c) => c !== 'PLN')).toBe(true);
    expect(state.breaches).toBe(0);
  }, 700_000);

  it('refuses a forged, replayed or denied authorization without creating anything', async () => {
    const before = (await user.trpc.integrations.list.query({ pluginId: 'allegro' })).length;
    // The callback must be completed by the user who asked for the URL (here with their token).
    const asUser = { authorization: `Bearer ${user.token}` };
    /** The callback sends the browser back to the console with the reason in `error`. */
    const refusal = async (url: string | URL) => {
      const response = await fetch(url, { redirect: 'manual', headers: asUser });
      expect(response.status).toBe(303);
      const location = new URL(response.headers.get('location') ?? '', 'http://console');
      expect(location.pathname).toBe('/settings/integrations');
      return location.searchParams.get('error') ?? '';
    };

    expect(await refusal(`${world.host.url}/api/v1/allegro/auth/callback?code=abc&state=forged`)).toMatch(
      /forged|Unknown authorization state/i,
    );

    const { body } = await user.rest<{ url: string }>('/api/v1/allegro/auth/url');
    const callback = await consent(body.url, 'approve', 1);
    const first = await fetch(callback, { redirect: 'manual', headers: asUser });
    expect(first.headers.get('location')).toMatch(/connected=/);
    expect(await refusal(callback)).toMatch(/already completed|used twice/i);

    const fresh = await user.rest<{ url: string }>('/api/v1/allegro/auth/url');
    const wrongCode = new URL(await consent(fresh.body.url, 'approve', 1));
    wrongCode.searchParams.set('code', 'not-a-real-code');
    expect(await refusal(wrongCode)).toMatch(/did not accept the authorization code/i);

    const denied = await user.rest<{ url: string }>('/api/v1/allegro/auth/url');
    expect(await refusal(await consent(denied.body.url, 'deny', 1))).toMatch(/declined/i);

    expect(await user.trpc.integrations.list.query({ pluginId: 'allegro' })).toHaveLength(before);
  });
});
