import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordInput } from '@mch/plugin-sdk';
import { Decimal } from '../src/invoicing/money.ts';
import { importRecords, type ImportRecordsOptions } from '../src/records/import.ts';
import { ImportSetupError } from '../src/records/invoice-sql.ts';
import { compileMappings } from '../src/records/mapping-engine.ts';
import {
  ALLEGRO_MAPPINGS,
  allegroOrder,
  EMAG_MAPPINGS,
  emagOrder,
  seedTenant,
} from '../src/records/test-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/database.ts';

let testDb: TestDatabase;
const allegro = compileMappings(ALLEGRO_MAPPINGS);
/** The switches the Allegro and eMAG manifests declare (manifest `switches`). */
const SWITCHES = {
  invoices: 'autoGenerateInvoices',
  markPaid: 'autoMarkAsPaid',
  customers: 'autoCreateCustomer',
  products: 'autoCreateProduct',
};

const settings = {
  autoGenerateInvoices: true,
  autoMarkAsPaid: false,
  autoCreateCustomer: true,
  autoCreateProduct: true,
  defaultVatRate: 23,
};

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.close();
});

const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  (await testDb.db.pool.query<T>(sql, params)).rows;
const count = async (table: string, where: string, params: unknown[]) =>
  Number((await q<{ n: string }>(`select count(*) as n from ${table} where ${where}`, params))[0]!.n);
const asRecord = (order: { id: string; revision: string }): RecordInput => ({
  externalId: order.id,
  revision: order.revision,
  data: order,
});

async function setup(overrides: Partial<ImportRecordsOptions> = {}) {
  const ids = await seedTenant(testDb.db.pool);
  const run = (records: RecordInput[], more: Partial<ImportRecordsOptions> = {}) =>
    importRecords({
      db: testDb.db,
      tenantId: ids.tenantId,
      integrationId: ids.integrationId,
      pluginId: 'allegro',
      mappingName: 'invoice',
      mappings: allegro,
      settings,
      switches: SWITCHES,
      records,
      ...overrides,
      ...more,
    });
  return { ...ids, run };
}

describe('importRecords (Allegro, gross prices)', () => {
  it('turns 1 000 orders into 1 000 invoices with exact totals, then repeats change nothing', async () => {
    const t = await setup();
    const orders = Array.from({ length: 1000 }, (_, i) => allegroOrder(i));
    const outcomes = await t.run(orders.map(asRecord));
    expect(outcomes.filter((o) => o.status === 'created')).toHaveLength(1000);

    const invoices = await q<{
      external_order_id: string;
      gross_total: string;
      net_total: string;
      vat_total: string;
      sequence: number;
      number: string;
      status: string;
    }>(
      'select external_order_id, gross_total, net_total, vat_total, sequence, number, status from invoices where tenant_id = $1 order by sequence',
      [t.tenantId],
    );
    expect(invoices).toHaveLength(1000);
    expect(invoices.map((i) => i.sequence)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(invoices[0]!.number).toBe('FV/2026/1');
    const byId = new Map(orders.map((o) => [o.id, o]));
    for (const invoice of invoices) {
      expect(invoice.gross_total).toBe(byId.get(invoice.external_order_id)!.summary.totalToPay.amount);
      expect(new Decimal(invoice.net_total).plus(invoice.vat_total).toFixed(2)).toBe(invoice.gross_total);
      expect(invoice.status).toBe('issued');
    }
    // Lines add up to their invoice, to the grosz.
    const mismatched = await q(
      `select i.id from invoices i join invoice_lines l on l.invoice_id = i.id where i.tenant_id = $1
        group by i.id having sum(l.gross_amount) <> max(i.gross_total) or sum(l.net_amount) <> max(i.net_total)`,
      [t.tenantId],
    );
    expect(mismatched).toEqual([]);
    // The columns and lines are read out of the frozen document: they state exactly what it states,
    // each line linked to its order line's product.
    const drift = await q(
      `select i.id, l.position from invoices i
         join invoice_lines l on l.invoice_id = i.id
         join lateral (select x from jsonb_array_elements(i.document->'lines') x
                        where (x->>'position')::int = l.position) d on true
         left join products p on p.id = l.product_id
        where i.tenant_id = $1
          and (i.number <> i.document->>'number' or i.issue_date <> i.document->>'issueDate'
               or i.currency <> i.document->>'currency' or i.gross_total <> (i.document->'totals'->>'gross')::numeric
               or l.name <> d.x->>'name' or l.quantity <> (d.x->>'quantity')::numeric
               or l.unit_net <> (d.x->>'unitNet')::numeric or l.vat_amount <> (d.x->>'vat')::numeric
               or p.sku is distinct from d.x->>'sku')`,
      [t.tenantId],
    );
    expect(drift).toEqual([]);
    expect(
      await count(
        'invoice_lines',
        'product_id is null and invoice_id in (select id from invoices where tenant_id = $1)',
        [t.tenantId],
      ),
    ).toBe(0);
    expect(
      await count('invoice_lines l join invoices i on i.id = l.invoice_id', 'i.tenant_id = $1', [t.tenantId]),
    ).toBe(3500);
    expect(await count('customers', 'tenant_id = $1', [t.tenantId])).toBe(700);
    expect(await count('products', 'tenant_id = $1', [t.tenantId])).toBe(501); // 500 offers + delivery
    expect(await count('external_records', 'integration_id = $1', [t.integrationId])).toBe(1000);

    const again = await t.run(orders.map(asRecord));
    expect(again.every((o) => o.status === 'unchanged')).toBe(true);
    expect(again.map((o) => (o.status === 'unchanged' ? o.hostId : ''))).toEqual(
      outcomes.map((o) => (o.status === 'created' ? o.hostId : '?')),
    );
    expect(await count('invoices', 'tenant_id = $1', [t.tenantId])).toBe(1000);
    expect(
      (
        await q<{ next_number: number }>('select next_number from invoice_series where id = $1', [t.seriesId])
      )[0]!.next_number,
    ).toBe(1001);
  });

  it('records a later revision and corrects the invoice of a cancelled order to zero, never issuing a second invoice', async () => {
    const t = await setup();
    const order = allegroOrder(7);
    const [first] = await t.run([asRecord(order)]);
    expect(first!.status).toBe('created');
    // A new revision with the very same content (one more event about it) is a repeat: no write.
    const [repeat] = await t.run([{ ...asRecord(order), revision: 'r1-event-2' }]);
    expect(repeat).toEqual({ status: 'unchanged', hostId: (first as { hostId: string }).hostId });
    expect(
      await q('select revision from external_records where integration_id = $1', [t.integrationId]),
    ).toEqual([{ revision: 'r1' }]);
    const cancelled = allegroOrder(7, { status: 'CANCELLED', revision: 'r2' });
    const [second] = await t.run([asRecord(cancelled)]);
    expect(second).toEqual({ status: 'updated', hostId: (first as { hostId: string }).hostId });
    // The issued invoice is never edited: a correction to zero is issued beside it (issue 21).
    expect(
      await q(
        `select type, status, gross_total::text as gross, corrects is not null as linked from invoices
          where integration_id = $1 order by type desc`,
        [t.integrationId],
      ),
    ).toEqual([
      { type: 'invoice', status: 'issued', gross: expect.any(String), linked: false },
      { type: 'correction', status: 'issued', gross: expect.stringMatching(/^-/), linked: true },
    ]);
    const [totals] = await q<{ sum: string }>(
      'select sum(gross_total)::text as sum from invoices where integration_id = $1',
      [t.integrationId],
    );
    expect(Number(totals!.sum)).toBe(0);
    expect(
      await q('select revision, status from external_records where integration_id = $1', [t.integrationId]),
    ).toEqual([{ revision: 'r2', status: 'cancelled' }]);
    // An order cancelled before it was ever seen gets no invoice at all.
    const [third] = await t.run([asRecord(allegroOrder(8, { status: 'CANCELLED' }))]);
    expect(third).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('cancelled and was never invoiced'),
    });
    expect(await count('invoices', "integration_id = $1 and type = 'invoice'", [t.integrationId])).toBe(1);
  });

  it('refuses an order whose total differs from summary.totalToPay and writes nothing for it', async () => {
    const t = await setup();
    const bad = allegroOrder(3);
    bad.summary.totalToPay.amount = new Decimal(bad.summary.totalToPay.amount).plus('0.01').toFixed(2);
    const good = allegroOrder(4);
    const [refused, created] = await t.run([asRecord(bad), asRecord(good)]);
    expect(refused).toEqual({
      status: 'skipped',
      reason: expect.stringMatching(
        /^record .* refused: invoice total \d+\.\d\d PLN differs from the marketplace total \d+\.\d\d PLN/,
      ),
      group: 'could not be turned into an invoice',
    });
    expect(created!.status).toBe('created');
    expect(
      await count('invoices', 'integration_id = $1 and external_order_id = $2', [t.integrationId, bad.id]),
    ).toBe(0);
    expect(
      await count('external_records', 'integration_id = $1 and external_id = $2', [t.integrationId, bad.id]),
    ).toBe(0);
    expect(await count('customers', 'tenant_id = $1 and external_id = $2', [t.tenantId, bad.buyer.id])).toBe(
      0,
    );
  });

  it('keeps numbering gap-free when a batch fails after reserving numbers', async () => {
    const t = await setup();
    const huge = allegroOrder(100, { lines: 1 });
    // 2·10^11 units overflow invoice_lines.quantity numeric(14,3): the failure comes after the invoice insert.
    huge.lineItems[0]!.quantity = 200_000_000_000;
    huge.lineItems[0]!.price.amount = '0.01';
    huge.summary.totalToPay.amount = new Decimal('2000000000').plus(huge.delivery.cost.amount).toFixed(2);
    await expect(
      t.run([asRecord(allegroOrder(101)), asRecord(huge), asRecord(allegroOrder(102))]),
    ).rejects.toMatchObject({ code: '22003' });
    expect(await count('invoices', 'tenant_id = $1', [t.tenantId])).toBe(0);
    expect(await count('external_records', 'integration_id = $1', [t.integrationId])).toBe(0);
    expect(
      (
        await q<{ next_number: number }>('select next_number from invoice_series where id = $1', [t.seriesId])
      )[0]!.next_number,
    ).toBe(1);

    await t.run([101, 102, 103].map((i) => asRecord(allegroOrder(i))));
    const sequences = await q<{ sequence: number }>(
      'select sequence from invoices where tenant_id = $1 order by sequence',
      [t.tenantId],
    );
    expect(sequences.map((s) => s.sequence)).toEqual([1, 2, 3]);
  });

  it('honours each auto* switch', async () => {
    const orders = [1, 2, 3].map((i) => asRecord(allegroOrder(i)));

    const noInvoices = await setup({ settings: { ...settings, autoGenerateInvoices: false } });
    const skipped = await noInvoices.run(orders);
    expect(
      skipped.every((o) => o.status === 'skipped' && o.reason.includes('invoicing is switched off')),
    ).toBe(true);
    expect(await count('invoices', 'tenant_id = $1', [noInvoices.tenantId])).toBe(0);
    expect(await count('customers', 'tenant_id = $1', [noInvoices.tenantId])).toBe(3);
    expect(await count('external_records', 'integration_id = $1', [noInvoices.integrationId])).toBe(3);
    // Switched on later: the orders recorded meanwhile are invoiced on their next import, once.
    const switchedOn = await noInvoices.run(orders, { settings });
    expect(switchedOn.map((o) => o.status)).toEqual(['created', 'created', 'created']);
    expect((await noInvoices.run(orders, { settings })).map((o) => o.status)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    expect(await count('invoices', 'tenant_id = $1', [noInvoices.tenantId])).toBe(3);

    const noCustomers = await setup({ settings: { ...settings, autoCreateCustomer: false } });
    await noCustomers.run(orders);
    expect(await count('customers', 'tenant_id = $1', [noCustomers.tenantId])).toBe(0);
    expect(
      await count('invoices', 'tenant_id = $1 and customer_id is null and buyer ? $2', [
        noCustomers.tenantId,
        'name',
      ]),
    ).toBe(3);

    const noProducts = await setup({ settings: { ...settings, autoCreateProduct: false } });
    await noProducts.run(orders);
    expect(await count('products', 'tenant_id = $1', [noProducts.tenantId])).toBe(0);
    expect(
      await count(
        'invoice_lines l join invoices i on i.id = l.invoice_id',
        'i.tenant_id = $1 and l.product_id is null',
        [noProducts.tenantId],
      ),
    ).toBe(
      9 + 1, // order 2 has a delivery line
    );

    const paid = await setup({ settings: { ...settings, autoMarkAsPaid: true } });
    await paid.run(orders);
    expect(
      await q('select status, paid_at from invoices where tenant_id = $1 limit 1', [paid.tenantId]),
    ).toEqual([{ status: 'paid', paid_at: expect.anything() }]);
    const unpaid = await setup({ settings: { ...settings, autoMarkAsPaid: true } });
    const notYet = { ...allegroOrder(5), payment: { id: 'p-5', type: 'ONLINE', finishedAt: null } };
    await unpaid.run([asRecord(notYet)]);
    expect(await q('select status from invoices where tenant_id = $1', [unpaid.tenantId])).toEqual([
      { status: 'issued' },
    ]);
    // The payment arrives in a later revision: the invoice is marked paid, not issued again.
    const [later] = await unpaid.run([asRecord(allegroOrder(5, { revision: 'r2' }))]);
    expect(later!.status).toBe('updated');
    expect(await q('select status from invoices where tenant_id = $1', [unpaid.tenantId])).toEqual([
      { status: 'paid' },
    ]);
  });

  it('takes the last copy of an order listed twice, and refuses records the mapping cannot read', async () => {
    const t = await setup();
    const first = allegroOrder(40);
    const second = allegroOrder(40, { revision: 'r2', status: 'CANCELLED' });
    const broken = { externalId: 'x-1', revision: '1', data: { id: 'x-1', lineItems: [] } };
    const outcomes = await t.run([asRecord(first), broken, asRecord(second), asRecord(allegroOrder(41))]);
    expect(outcomes[0]).toEqual({
      status: 'skipped',
      reason: `superseded by a later copy of ${first.id} in the same import`,
    });
    expect(outcomes[1]).toEqual({
      status: 'skipped',
      reason: `record x-1 refused: mapping 'invoice', field 'currency' (expression "summary.totalToPay.currency"): is required but produced no value`,
      group: 'could not be turned into an invoice',
    });
    // Only the later copy counts: it is cancelled, so the order is never invoiced.
    expect(outcomes[2]).toMatchObject({ status: 'skipped', reason: expect.stringContaining('cancelled') });
    expect(outcomes[3]!.status).toBe('created');
    expect(await count('invoices', 'integration_id = $1', [t.integrationId])).toBe(1);
    expect(await count('external_records', 'integration_id = $1', [t.integrationId])).toBe(2);
  });

  it('refuses to guess a company the tenant does not have', async () => {
    const ids = await seedTenant(testDb.db.pool, { withCompany: false });
    await expect(
      importRecords({
        db: testDb.db,
        tenantId: ids.tenantId,
        integrationId: ids.integrationId,
        pluginId: 'allegro',
        mappingName: 'invoice',
        mappings: allegro,
        settings,
        records: [asRecord(allegroOrder(1))],
      }),
    ).rejects.toThrow(ImportSetupError);
    expect(await count('external_records', 'integration_id = $1', [ids.integrationId])).toBe(0);
  });
});

describe('importRecords (eMAG, net prices)', () => {
  it('computes gross from 4-decimal net prices and fractional VAT', async () => {
    // A Romanian seller; the fixture's 19 % was Romania's standard rate until 2025-07-31.
    const ids = await seedTenant(testDb.db.pool, {
      pluginId: 'emag',
      pattern: '{code}-{n:6}',
      country: 'RO',
    });
    const outcomes = await importRecords({
      db: testDb.db,
      tenantId: ids.tenantId,
      integrationId: ids.integrationId,
      pluginId: 'emag',
      mappingName: 'invoice',
      mappings: compileMappings(EMAG_MAPPINGS),
      settings: { autoMarkAsPaid: true },
      switches: SWITCHES,
      integration: { currency: 'RON' },
      records: [1, 2].map((i) => ({
        externalId: String(emagOrder(i).id),
        revision: '1',
        data: emagOrder(i, { date: '2025-07-21 09:30:00' }),
      })),
    });
    expect(outcomes.map((o) => o.status)).toEqual(['created', 'created']);
    expect(
      await q(
        'select number, currency, net_total, vat_total, gross_total, status from invoices where tenant_id = $1 order by sequence',
        [ids.tenantId],
      ),
    ).toEqual([
      {
        number: 'FV-000001',
        currency: 'RON',
        net_total: '268.91',
        vat_total: '51.09',
        gross_total: '320.00',
        status: 'paid',
      },
      {
        number: 'FV-000002',
        currency: 'RON',
        net_total: '268.91',
        vat_total: '51.09',
        gross_total: '320.00',
        status: 'paid',
      },
    ]);
    expect(
      await q(
        'select unit_net, vat_rate from invoice_lines l join invoices i on i.id = l.invoice_id where i.tenant_id = $1 and l.position = 1 limit 1',
        [ids.tenantId],
      ),
    ).toEqual([{ unit_net: '84.0336', vat_rate: '19.00' }]);
  });
});
