import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeRates } from '../src/invoicing/exchange-rates.ts';
import { type RunningRatesSandbox, startRatesSandbox } from '../src/invoicing/rates-sandbox.ts';
import { SAMPLE_COMPANIES } from '../src/invoicing/seller-identity.ts';
import { importRecords } from '../src/records/import.ts';
import { compileMappings } from '../src/records/mapping-engine.ts';
import { allegroOrder } from '../src/records/test-fixtures.ts';
import { createTenant } from '../src/tenancy/index.ts';
import { pdftotext } from './support/pdf-tools.ts';
import { startTestHost, type TestActor, type TestHost } from './support/test-host.ts';

/**
 * Issue 17 through the Allegro manifest's own mappings and settings: which orders get an invoice
 * (`invoiceOrders`: all, or only those whose buyer asked — `invoice.required`), the buyer's tax
 * ids as Allegro gives them (`company.ids[]` with their types), business or consumer, and an
 * allegro-cz business with an active VAT id invoiced under reverse charge.
 */

// The Allegro plugin's own manifest, read as data (the host never imports a plugin).
const manifest = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'plugins', 'allegro', 'plugin.manifest.json'), 'utf8'),
) as {
  mappings: Parameters<typeof compileMappings>[0];
};
const mappings = compileMappings(manifest.mappings);

let host: TestHost;
let rates: RunningRatesSandbox;
let exchange: ExchangeRates;

type Form = ReturnType<typeof allegroOrder>;
type Company = { name: string; ids: { type: string; value: string }[]; vatPayerStatus?: string };

/** A form whose buyer asked for an invoice for `company` (or did not, with `company` null). */
function form(i: number, company: Company | null, country = 'PL'): Form {
  const f = JSON.parse(JSON.stringify(allegroOrder(i, { delivery: false }))) as Form;
  const asked = f as unknown as { invoice: { required: boolean; address: unknown } };
  asked.invoice = company
    ? {
        required: true,
        address: {
          company,
          street: 'Václavské náměstí 1',
          city: 'Praha',
          zipCode: '11000',
          countryCode: country,
        },
      }
    : { required: false, address: null };
  return country === 'CZ' ? (JSON.parse(JSON.stringify(f).replaceAll('"PLN"', '"CZK"')) as Form) : f;
}

async function setup(invoiceOrders: 'all' | 'requested') {
  const tenant = await createTenant({
    em: host.database.db.orm.em.fork(),
    name: `Allegro ${randomUUID().slice(0, 8)}`,
    company: SAMPLE_COMPANIES.PL,
  });
  const user = await host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
  const integrationId = randomUUID();
  await host.database.db.pool.query(
    `insert into integrations (id, tenant_id, plugin_id, label, status, settings, created_at, updated_at)
     values ($1, $2, 'allegro', 'Account', 'disabled', '{}'::jsonb, now(), now())`,
    [integrationId, tenant.id],
  );
  const run = (forms: Form[], choice = invoiceOrders) =>
    importRecords({
      db: host.database.db,
      tenantId: tenant.id,
      integrationId,
      pluginId: 'allegro',
      mappingName: 'invoice',
      mappings,
      settings: { defaultVatRate: 23, invoiceOrders: choice },
      rates: exchange,
      records: forms.map((f) => ({ externalId: f.id, revision: f.revision, data: f })),
    });
  return { user, run, tenantId: tenant.id };
}

const doc = async (user: TestActor, outcome: unknown) =>
  (await user.rest<Record<string, unknown>>(`/api/v1/invoices/${(outcome as { hostId: string }).hostId}`))
    .body;

beforeAll(async () => {
  rates = await startRatesSandbox({ today: () => '2026-12-01' });
  host = await startTestHost();
  exchange = new ExchangeRates({ pool: host.database.db.pool, nbpUrl: rates.url, bnrUrl: rates.url });
});
afterAll(async () => {
  await host?.stop();
  await rates?.close();
});

describe('Allegro: which orders get an invoice, and the buyer as Allegro gives it', () => {
  it('invoices only the orders whose buyer asked when set so, and the others once it is set to all', async () => {
    const { user, run } = await setup('requested');
    const nip: Company = { name: 'Firma Testowa sp. z o.o.', ids: [{ type: 'PL_NIP', value: '5260250995' }] };
    const outcomes = await run([form(1, null), form(2, nip)]);
    expect(outcomes.map((o) => o.status)).toEqual(['skipped', 'created']);
    expect((outcomes[0] as { reason: string }).reason).toContain(
      'the buyer did not ask for an invoice and the integration invoices only orders whose buyer did',
    );
    expect(await doc(user, outcomes[1])).toMatchObject({
      buyer: {
        kind: 'business',
        companyName: 'Firma Testowa sp. z o.o.',
        taxIds: [{ type: 'PL_NIP', value: '5260250995' }],
        taxId: '5260250995',
      },
      payment: { method: 'online' },
      reverseCharge: false,
    });
    // Switched to every order: the one recorded without an invoice gets its invoice now.
    const [again] = await run([form(1, null)], 'all');
    expect(again).toMatchObject({ status: 'created' });
    expect(await doc(user, again)).toMatchObject({ buyer: { kind: 'consumer', taxIds: [] } });
  });

  it('invoices an allegro-cz business with an active EU VAT id under reverse charge, its ids typed as Allegro gives them', async () => {
    const { user, run } = await setup('all');
    const czech: Company = {
      name: 'Česká Firma s.r.o.',
      ids: [
        { type: 'CZ_ICO', value: '27082440' },
        { type: 'CZ_DIC', value: 'CZ27082440' },
      ],
      vatPayerStatus: 'ACTIVE',
    };
    const inactive: Company = { ...czech, name: 'Neplátce s.r.o.', vatPayerStatus: 'NON_ACTIVE' };
    const [active, notPayer] = await run([form(3, czech, 'CZ'), form(4, inactive, 'CZ')]);
    expect(active).toMatchObject({ status: 'created' });
    const body = await doc(user, active);
    expect(body).toMatchObject({
      currency: 'CZK',
      reverseCharge: true,
      mentions: ['reverse_charge'],
      buyer: {
        kind: 'business',
        // The id the mapping picked (the DIČ, Czechia's VAT id) first, then the others.
        taxIds: [
          { type: 'CZ_DIC', value: 'CZ27082440' },
          { type: 'CZ_ICO', value: '27082440' },
        ],
      },
      exchangeRate: { source: 'NBP', nationalCurrency: 'PLN' },
    });
    // Allegro's prices are gross: what the buyer paid is the amount due, all of it net.
    const paid = form(3, czech, 'CZ').summary.totalToPay.amount;
    expect(body.totals).toEqual({ net: paid, vat: '0.00', gross: paid });
    // Allegro says the second buyer is no VAT payer: taxed as any sale (Polish VAT, 23 %).
    expect(notPayer).toMatchObject({ status: 'created' });
    expect(await doc(user, notPayer)).toMatchObject({ reverseCharge: false, mentions: [], taxCountry: 'PL' });
  });
  it('taxes an allegro-cz consumer of an OSS seller at Czech VAT, and the invoice says so', async () => {
    const { user, run, tenantId } = await setup('all');
    await host.database.db.pool.query('update companies set uses_oss = true where tenant_id = $1', [
      tenantId,
    ]);
    const consumer = form(5, null, 'CZ');
    const czech = consumer as unknown as {
      buyer: { address: { countryCode: string } };
      lineItems: { tax?: { rate: string } }[];
    };
    czech.buyer.address.countryCode = 'CZ';
    for (const item of czech.lineItems) item.tax = { rate: '21.00' };
    const [outcome] = await run([consumer]);
    expect(outcome).toMatchObject({ status: 'created' });
    const body = await doc(user, outcome);
    expect(body).toMatchObject({ taxCountry: 'CZ', oss: true, mentions: ['oss'], reverseCharge: false });
    expect((body.lines as { vatRate: string }[]).every((l) => l.vatRate === '21.00')).toBe(true);
    const pdf = await fetch(`${host.url}/api/v1/invoices/${(outcome as { hostId: string }).hostId}/pdf`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(await pdftotext(Buffer.from(await pdf.arrayBuffer()))).toContain(
      'Procedura OSS — VAT według stawek kraju nabywcy (CZ)',
    );
  });
});
