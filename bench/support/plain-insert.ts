// The plain way to write what an import writes: one multi-row insert per table per batch of 100,
// no mapping, no checks. The baseline the import and end-to-end benchmarks compare against.
import { randomUUID } from 'node:crypto';
import type { Database } from '../../host/src/db/orm.ts';
import type { PgLikeClient } from '../../host/src/db/pglite-pool.ts';
import { toInvoiceDraft, type InvoiceDraft } from '../../host/src/records/invoice-draft.ts';
import { compileMappings } from '../../host/src/records/mapping-engine.ts';
import { inTransaction, unnestSelect } from '../../host/src/records/sql.ts';
import { ALLEGRO_MAPPINGS, allegroOrder, seedTenant } from '../../host/src/records/test-fixtures.ts';

/** The same rows `importRecords` writes, inserted the plain way: one unnest insert per table per batch. */
export async function baselineBatch(
  client: PgLikeClient,
  ids: { tenantId: string; companyId: string; seriesId: string; integrationId: string },
  drafts: InvoiceDraft[],
  firstSequence: number,
) {
  const t = ids.tenantId;
  const ledger = unnestSelect<InvoiceDraft>({
    firstParam: 3,
    rows: drafts,
    columns: [
      { name: 'id', type: 'uuid', value: () => randomUUID() },
      { name: 'external_id', type: 'text', value: (d) => d.externalId },
    ],
    extra: ['$1::uuid', '$2::uuid', `'invoice'`, `'r1'`, 'now()', 'now()'],
  });
  await client.query(
    `insert into external_records (id, external_id, tenant_id, integration_id, kind, revision, created_at, updated_at) ${ledger.text}`,
    [t, ids.integrationId, ...ledger.values],
  );
  const customers = [...new Map(drafts.map((d) => [d.customer!.externalId, d.customer!])).values()];
  const c = unnestSelect<(typeof customers)[number]>({
    firstParam: 2,
    rows: customers,
    columns: [
      { name: 'id', type: 'uuid', value: () => randomUUID() },
      { name: 'external_id', type: 'text', value: (x) => x.externalId },
      { name: 'name', type: 'text', value: (x) => x.name },
    ],
    extra: ['$1::uuid', `'allegro'`, 'now()', 'now()'],
  });
  await client.query(
    `insert into customers (id, external_id, name, tenant_id, source, created_at, updated_at) ${c.text} on conflict do nothing`,
    [t, ...c.values],
  );
  const products = [
    ...new Map(
      drafts.flatMap((d) => d.lines.map((l) => [l.product!.externalId, l.product!] as const)),
    ).values(),
  ];
  const p = unnestSelect<(typeof products)[number]>({
    firstParam: 2,
    rows: products,
    columns: [
      { name: 'id', type: 'uuid', value: () => randomUUID() },
      { name: 'external_id', type: 'text', value: (x) => x.externalId },
      { name: 'name', type: 'text', value: (x) => x.name },
      { name: 'vat_rate', type: 'numeric', value: (x) => x.vatRate },
    ],
    extra: ['$1::uuid', `'allegro'`, 'now()', 'now()'],
  });
  await client.query(
    `insert into products (id, external_id, name, vat_rate, tenant_id, source, created_at, updated_at) ${p.text} on conflict do nothing`,
    [t, ...p.values],
  );
  const invoices = drafts.map((d, i) => ({ d, id: randomUUID(), seq: firstSequence + i }));
  const inv = unnestSelect<(typeof invoices)[number]>({
    firstParam: 5,
    rows: invoices,
    columns: [
      { name: 'id', type: 'uuid', value: (x) => x.id },
      { name: 'sequence', type: 'int4', value: (x) => x.seq },
      { name: 'number', type: 'text', value: (x) => `FV/2026/${x.seq}` },
      { name: 'external_order_id', type: 'text', value: (x) => x.d.externalId },
      { name: 'buyer', type: 'text', cast: 'jsonb', value: (x) => JSON.stringify(x.d.customer) },
      { name: 'issue_date', type: 'text', value: (x) => x.d.issueDate },
      { name: 'net_total', type: 'numeric', value: (x) => x.d.totals.net },
      { name: 'vat_total', type: 'numeric', value: (x) => x.d.totals.vat },
      { name: 'gross_total', type: 'numeric', value: (x) => x.d.totals.gross },
    ],
    extra: ['$1::uuid', '$2::uuid', '$3::uuid', '$4::uuid', 'u.issue_date', `'PLN'`, 'now()', 'now()'],
  });
  await client.query(
    `insert into invoices (id, sequence, number, external_order_id, buyer, issue_date, net_total, vat_total, gross_total,
                           tenant_id, company_id, series_id, integration_id, sale_date, currency, created_at, updated_at) ${inv.text}`,
    [t, ids.companyId, ids.seriesId, ids.integrationId, ...inv.values],
  );
  const lines = invoices.flatMap((x) => x.d.lines.map((l) => ({ invoiceId: x.id, l })));
  const ln = unnestSelect<(typeof lines)[number]>({
    rows: lines,
    columns: [
      { name: 'id', type: 'uuid', value: () => randomUUID() },
      { name: 'invoice_id', type: 'uuid', value: (x) => x.invoiceId },
      { name: 'position', type: 'int4', value: (x) => x.l.position },
      { name: 'name', type: 'text', value: (x) => x.l.name },
      { name: 'quantity', type: 'numeric', value: (x) => x.l.quantity },
      { name: 'unit_net', type: 'numeric', value: (x) => x.l.unitNet },
      { name: 'unit_gross', type: 'numeric', value: (x) => x.l.unitGross },
      { name: 'vat_rate', type: 'numeric', value: (x) => x.l.vatRate },
      { name: 'net_amount', type: 'numeric', value: (x) => x.l.net },
      { name: 'vat_amount', type: 'numeric', value: (x) => x.l.vat },
      { name: 'gross_amount', type: 'numeric', value: (x) => x.l.gross },
    ],
  });
  await client.query(
    `insert into invoice_lines (id, invoice_id, position, name, quantity, unit_net, unit_gross, vat_rate, net_amount, vat_amount, gross_amount) ${ln.text}`,
    ln.values,
  );
}

/**
 * Orders/s of the plain batched insert of `orders` three-line orders (drafts prepared up front,
 * not timed), into a fresh tenant of `db`.
 */
export async function plainInsertRate(input: { db: Database; orders: number }): Promise<number> {
  const mappings = compileMappings(ALLEGRO_MAPPINGS);
  const variables = { settings: { defaultVatRate: 23 }, integration: {} };
  const drafts: InvoiceDraft[] = [];
  for (let i = 0; i < input.orders; i++) {
    const order = allegroOrder(5_000_000 + i, { lines: 3, delivery: false });
    drafts.push(toInvoiceDraft(await mappings.map('invoice', order, variables)));
  }
  const ids = await seedTenant(input.db.pool);
  const started = performance.now();
  for (let i = 0; i < drafts.length; i += 100) {
    await inTransaction(input.db.pool, (client) =>
      baselineBatch(client, ids, drafts.slice(i, i + 100), i + 1),
    );
  }
  return (drafts.length / (performance.now() - started)) * 1000;
}
