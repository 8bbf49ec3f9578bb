import { randomUUID } from 'node:crypto';
import type { PgLikeClient } from '../db/pglite-pool.ts';
import type { InvoiceStatus } from '../db/entities/invoice.entity.ts';
import type { InvoiceDraft, LineDraft } from './invoice-draft.ts';
import { unnestSelect } from './sql.ts';

export class ImportSetupError extends Error {
  override name = 'ImportSetupError';
}

/**
 * The company and series new invoices go to: the given company, else the integration's, else the
 * tenant's default (or oldest) company; its default series, created as `FV` when it has none.
 */
export async function resolveSeries(
  client: PgLikeClient,
  options: { tenantId: string; integrationId: string; companyId: string | undefined },
): Promise<{ companyId: string; seriesId: string }> {
  const companies = await client.query<{ id: string }>(
    `select c.id from companies c
      where c.tenant_id = $1
        and ($2::uuid is null or c.id = $2::uuid)
      order by (c.id = (select company_id from integrations where id = $3)) is true desc, c.is_default desc, c.created_at
      limit 1`,
    [options.tenantId, options.companyId ?? null, options.integrationId],
  );
  const companyId = companies.rows[0]?.id;
  if (!companyId) {
    throw new ImportSetupError(
      options.companyId
        ? `company ${options.companyId} does not belong to this tenant; pick one of the tenant's companies`
        : 'the tenant has no company to issue invoices from; add one under Settings → Company',
    );
  }
  const findSeries = () =>
    client.query<{ id: string }>(
      'select id from invoice_series where company_id = $1 order by is_default desc, created_at limit 1',
      [companyId],
    );
  let series = await findSeries();
  if (!series.rows[0]) {
    // A company without a series still gets gap-free numbers: the common Polish `FV/{yyyy}/{n}`.
    await client.query(
      `insert into invoice_series (id, tenant_id, company_id, code, pattern, next_number, is_default, created_at)
       values ($1, $2, $3, 'FV', '{code}/{yyyy}/{n}', 1, true, now()) on conflict (company_id, code) do nothing`,
      [randomUUID(), options.tenantId, companyId],
    );
    series = await findSeries();
  }
  return { companyId, seriesId: series.rows[0]!.id };
}

const SERIES_TTL_MS = 60_000;
const seriesCache = new Map<string, { companyId: string; seriesId: string; at: number }>();

/**
 * {@link resolveSeries}, remembered for a minute per (tenant, integration, company): it costs
 * two round trips per batch otherwise. `fresh` skips the memory (the series was deleted, or the
 * caller must see a just-changed default company at once).
 */
export async function seriesFor(
  client: PgLikeClient,
  options: { tenantId: string; integrationId: string; companyId: string | undefined; fresh?: boolean },
): Promise<{ companyId: string; seriesId: string }> {
  const key = `${options.tenantId}|${options.integrationId}|${options.companyId ?? ''}`;
  const hit = seriesCache.get(key);
  if (hit && !options.fresh && Date.now() - hit.at < SERIES_TTL_MS) return hit;
  const resolved = await resolveSeries(client, options);
  if (seriesCache.size > 10_000) seriesCache.clear();
  seriesCache.set(key, { ...resolved, at: Date.now() });
  return resolved;
}

/** Invoices of these orders that already exist (never issue a second one). */
export async function findInvoices(
  client: PgLikeClient,
  integrationId: string,
  externalIds: readonly string[],
): Promise<Map<string, { id: string; status: InvoiceStatus }>> {
  if (externalIds.length === 0) return new Map();
  const result = await client.query<{ id: string; external_order_id: string; status: InvoiceStatus }>(
    `select i.id, i.external_order_id, i.status
       from unnest($2::text[]) k(external_order_id) cross join lateral (
         select id, external_order_id, status from invoices
          where integration_id = $1 and external_order_id = k.external_order_id
          limit 1) i`,
    [integrationId, externalIds],
  );
  return new Map(result.rows.map((r) => [r.external_order_id, { id: r.id, status: r.status }]));
}

export interface NewInvoice {
  id: string;
  draft: InvoiceDraft;
  revision: string;
  sequence: number;
  number: string;
  customerId: string | null;
  status: InvoiceStatus;
  paidAt: string | null;
  productIds: Map<string, string>;
}

export async function insertInvoices(
  client: PgLikeClient,
  scope: { tenantId: string; integrationId: string; pluginId: string; companyId: string; seriesId: string },
  invoices: readonly NewInvoice[],
): Promise<void> {
  if (invoices.length === 0) return;
  const head = unnestSelect<NewInvoice>({
    firstParam: 6,
    rows: invoices,
    columns: [
      { name: 'id', type: 'uuid', value: (i) => i.id },
      { name: 'sequence', type: 'int4', value: (i) => i.sequence },
      { name: 'number', type: 'text', value: (i) => i.number },
      { name: 'external_order_id', type: 'text', value: (i) => i.draft.externalId },
      { name: 'external_order_revision', type: 'text', value: (i) => i.revision },
      { name: 'customer_id', type: 'uuid', value: (i) => i.customerId },
      { name: 'buyer', type: 'text', cast: 'jsonb', value: (i) => JSON.stringify(i.draft.customer ?? {}) },
      { name: 'issue_date', type: 'text', value: (i) => i.draft.issueDate },
      { name: 'sale_date', type: 'text', value: (i) => i.draft.saleDate },
      { name: 'currency', type: 'text', value: (i) => i.draft.currency },
      { name: 'net_total', type: 'numeric', value: (i) => i.draft.totals.net },
      { name: 'vat_total', type: 'numeric', value: (i) => i.draft.totals.vat },
      { name: 'gross_total', type: 'numeric', value: (i) => i.draft.totals.gross },
      { name: 'status', type: 'text', value: (i) => i.status },
      { name: 'paid_at', type: 'timestamptz', value: (i) => i.paidAt },
    ],
    extra: ['$1::uuid', '$2::uuid', '$3::uuid', '$4::uuid', '$5::text', 'now()', 'now()'],
  });
  const lines = invoices.flatMap((invoice) => invoice.draft.lines.map((line) => ({ invoice, line })));
  const body = unnestSelect<{ invoice: NewInvoice; line: LineDraft }>({
    firstParam: 6 + head.values.length,
    rows: lines,
    columns: [
      { name: 'id', type: 'uuid', value: () => randomUUID() },
      { name: 'invoice_id', type: 'uuid', value: ({ invoice }) => invoice.id },
      { name: 'position', type: 'int4', value: ({ line }) => line.position },
      {
        name: 'product_id',
        type: 'uuid',
        value: ({ invoice, line }) =>
          line.product ? (invoice.productIds.get(line.product.externalId) ?? null) : null,
      },
      { name: 'name', type: 'text', value: ({ line }) => line.name },
      { name: 'quantity', type: 'numeric', value: ({ line }) => line.quantity },
      { name: 'unit_net', type: 'numeric', value: ({ line }) => line.unitNet },
      { name: 'unit_gross', type: 'numeric', value: ({ line }) => line.unitGross },
      { name: 'vat_rate', type: 'numeric', value: ({ line }) => line.vatRate },
      { name: 'net_amount', type: 'numeric', value: ({ line }) => line.net },
      { name: 'vat_amount', type: 'numeric', value: ({ line }) => line.vat },
      { name: 'gross_amount', type: 'numeric', value: ({ line }) => line.gross },
    ],
  });
  // One statement for invoices and their lines; the lines' foreign key is checked at its end,
  // when the invoices are in place.
  await client.query(
    `with inserted as (
       insert into invoices (id, sequence, number, external_order_id, external_order_revision, customer_id, buyer, issue_date, sale_date,
                             currency, net_total, vat_total, gross_total, status, paid_at,
                             tenant_id, company_id, series_id, integration_id, plugin_id, created_at, updated_at)
       ${head.text}
       returning id)
     insert into invoice_lines (id, invoice_id, position, product_id, name, quantity, unit_net, unit_gross, vat_rate, net_amount, vat_amount, gross_amount)
     ${body.text}`,
    [
      scope.tenantId,
      scope.companyId,
      scope.seriesId,
      scope.integrationId,
      scope.pluginId,
      ...head.values,
      ...body.values,
    ],
  );
}

/** Moves existing invoices to a new status (cancelled, or paid when the order got paid). */
export async function setInvoiceStatuses(
  client: PgLikeClient,
  changes: readonly { id: string; status: InvoiceStatus; paidAt: string | null }[],
): Promise<void> {
  if (changes.length === 0) return;
  await client.query(
    `update invoices i set status = u.status, paid_at = coalesce(u.paid_at, i.paid_at), updated_at = now()
       from unnest($1::uuid[], $2::text[], $3::timestamptz[]) as u(id, status, paid_at)
      where i.id = u.id`,
    [changes.map((c) => c.id), changes.map((c) => c.status), changes.map((c) => c.paidAt)],
  );
}
