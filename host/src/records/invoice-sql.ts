import { randomUUID } from 'node:crypto';
import type { PgLikeClient } from '../db/pglite-pool.ts';
import type { InvoiceStatus } from '../db/entities/invoice.entity.ts';
import type { FrozenSeller, FrozenTemplate } from '../invoicing/frozen-document.ts';
import type { InvoiceDraft } from './invoice-draft.ts';
import { unnestSelect } from './sql.ts';
import { prepared } from '../db/prepared.ts';

export class ImportSetupError extends Error {
  override name = 'ImportSetupError';
}

export interface ResolvedSeries {
  companyId: string;
  seriesId: string;
  reset: string;
}

/**
 * The series new invoices of the company in `currency` are numbered in: the integration's chosen
 * series (`integrations.series_id`), else the company's default invoice series for that currency
 * (a series without a currency serves the company's national currency), created when missing —
 * `FV` for the national currency, `FV-<currency>` for another, `{code}/{yyyy}/{n}` reset yearly.
 */
export async function resolveSeries(
  client: PgLikeClient,
  options: { tenantId: string; integrationId: string; companyId: string; currency: string },
): Promise<ResolvedSeries> {
  const { companyId } = options;
  const findSeries = () =>
    client.query<{ id: string; reset: string }>(
      `select s.id, s.reset from invoice_series s join companies c on c.id = s.company_id
        where s.company_id = $1 and s.document_type = 'invoice'
          and (s.id = (select series_id from integrations where id = $3)
               or coalesce(s.currency, c.default_currency) = $2)
        order by s.id = (select series_id from integrations where id = $3) desc, s.is_default desc, s.created_at
        limit 1`,
      [companyId, options.currency, options.integrationId],
    );
  let series = await findSeries();
  if (!series.rows[0]) {
    // A company without a series for this currency gets one: gap-free numbers per currency.
    await client.query(
      `insert into invoice_series (id, tenant_id, company_id, code, pattern, next_number, is_default, document_type, reset, currency, created_at)
       select $1, $2, $3, case when c.default_currency = $4 then 'FV' else 'FV-' || $4 end, '{code}/{yyyy}/{n}', 1,
              not exists (select 1 from invoice_series where company_id = $3), 'invoice', 'yearly', $4, now()
         from companies c where c.id = $3
       on conflict (company_id, code) do nothing`,
      [randomUUID(), options.tenantId, companyId, options.currency],
    );
    series = await findSeries();
  }
  const row = series.rows[0];
  if (!row) {
    throw new ImportSetupError(
      `company ${companyId} has a series coded FV-${options.currency} for another use; give invoices in ${options.currency} a series under Settings → Company`,
    );
  }
  return { companyId, seriesId: row.id, reset: row.reset };
}

const SERIES_TTL_MS = 60_000;
const seriesCache = new Map<string, ResolvedSeries & { at: number }>();

/**
 * {@link resolveSeries}, remembered for a minute per (integration, company, currency): it costs
 * a round trip or two per batch otherwise. `fresh` skips the memory (the series was deleted, or
 * the caller must see a just-changed choice at once).
 */
export async function seriesFor(
  client: PgLikeClient,
  options: { tenantId: string; integrationId: string; companyId: string; currency: string; fresh?: boolean },
): Promise<ResolvedSeries> {
  const key = `${options.integrationId}|${options.companyId}|${options.currency}`;
  const hit = seriesCache.get(key);
  if (hit && !options.fresh && Date.now() - hit.at < SERIES_TTL_MS) return hit;
  const resolved = await resolveSeries(client, options);
  if (seriesCache.size > 10_000) seriesCache.clear();
  seriesCache.set(key, { ...resolved, at: Date.now() });
  return resolved;
}

/** Forgets remembered series choices (an integration's series was changed). */
export function forgetSeries(): void {
  seriesCache.clear();
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
          where integration_id = $1 and external_order_id = k.external_order_id and type = 'invoice'
          limit 1) i`,
    [integrationId, externalIds],
  );
  return new Map(result.rows.map((r) => [r.external_order_id, { id: r.id, status: r.status }]));
}

export interface NewInvoice {
  id: string;
  seriesId: string;
  period: string;
  seriesCode: string;
  /** The frozen document without series, number, seller and template (`documentBody`). */
  documentBody: string;
  draft: InvoiceDraft;
  revision: string;
  sequence: number;
  number: string;
  customerId: string | null;
  status: InvoiceStatus;
  paidAt: string | null;
  productIds: Map<string, string>;
}

/**
 * The frozen documents as one JSON array: each body (`documentBody`, built ahead) completed with
 * its series and number and the batch's seller and template, which are stringified once.
 * Stringifying the documents was the import's largest single piece of CPU after the documents
 * were frozen (issue 17). jsonb keeps its own key order, so the stored document is the same as
 * `JSON.stringify` of the whole document would give.
 */
export function documentsJson(
  invoices: readonly Pick<NewInvoice, 'seriesCode' | 'number' | 'documentBody'>[],
  shared: { seller: FrozenSeller; template: FrozenTemplate | null | undefined },
): string {
  const common = `"seller":${JSON.stringify(shared.seller)},"template":${JSON.stringify(shared.template ?? null)},`;
  return `[${invoices
    .map(
      (i) =>
        `{"series":${JSON.stringify(i.seriesCode)},"number":${JSON.stringify(i.number)},${common}${i.documentBody.slice(1)}`,
    )
    .join(',')}]`;
}

export async function insertInvoices(
  client: PgLikeClient,
  scope: {
    /** The issuer's frozen identity and template, the same in every document of the batch. */
    seller: FrozenSeller;
    template: FrozenTemplate | null;
    tenantId: string;
    integrationId: string;
    pluginId: string;
    companyId: string;
    /** The ledger kind whose held rows (`held_invoices`) of these orders are deleted with the insert. */
    heldKind?: string;
  },
  invoices: readonly NewInvoice[],
): Promise<void> {
  if (invoices.length === 0) return;
  // The frozen document is the one source of what the invoice states: its number, dates,
  // currency, totals and lines are read out of it by the statement, so the columns cannot drift
  // from the document (and 20 arrays of values are not built and escaped per page — the
  // import's largest CPU cost after the documents themselves, issue 17). The documents ($6) and
  // buyers ($7) go as JSON arrays, each row taking its element by position; the lines' product
  // ids as one flat array ($8), each invoice's lines starting at its `lines_from`.
  const position = new Map(invoices.map((invoice, i) => [invoice, i]));
  const productIds: (string | null)[] = [];
  const linesFrom = new Map<NewInvoice, number>();
  for (const invoice of invoices) {
    linesFrom.set(invoice, productIds.length);
    // The document's lines are the draft's, in the same order (build-document.ts).
    for (const { product } of invoice.draft.lines)
      productIds.push(product ? (invoice.productIds.get(product.externalId) ?? null) : null);
  }
  const rows = unnestSelect<NewInvoice>({
    firstParam: 9,
    rows: invoices,
    columns: [
      { name: 'id', type: 'uuid', value: (i) => i.id },
      { name: 'series_id', type: 'uuid', value: (i) => i.seriesId },
      { name: 'period', type: 'text', value: (i) => i.period },
      { name: 'sequence', type: 'int4', value: (i) => i.sequence },
      { name: 'external_order_revision', type: 'text', value: (i) => i.revision },
      { name: 'customer_id', type: 'uuid', value: (i) => i.customerId },
      { name: 'status', type: 'text', value: (i) => i.status },
      { name: 'paid_at', type: 'timestamptz', value: (i) => i.paidAt },
      { name: 'lines_from', type: 'int4', value: (i) => linesFrom.get(i) },
      { name: 'pos', type: 'int4', value: (i) => position.get(i) },
    ],
    extra: ['$6::jsonb -> u.pos as doc'],
  });
  const externalIds = `$${9 + rows.values.length}`;
  await client.query(
    prepared(
      `with docs as materialized (${rows.text}),
     unheld as (
       delete from held_invoices where $5::text is not null and integration_id = $3 and kind = $5
          and external_id = any(${externalIds}::text[])),
     inserted as (
       insert into invoices (id, series_id, period, series_code, type, document, sequence, number, external_order_id, external_order_revision, customer_id, buyer, issue_date, sale_date,
                             currency, net_total, vat_total, gross_total, status, paid_at,
                             tenant_id, company_id, integration_id, plugin_id, created_at, updated_at)
       select d.id, d.series_id, d.period, d.doc->>'series', d.doc->>'type', d.doc, d.sequence, d.doc->>'number', d.doc->>'externalOrderId',
              d.external_order_revision, d.customer_id, $7::jsonb -> d.pos, d.doc->>'issueDate', d.doc->>'saleDate',
              d.doc->>'currency', (d.doc->'totals'->>'net')::numeric, (d.doc->'totals'->>'vat')::numeric, (d.doc->'totals'->>'gross')::numeric,
              d.status, d.paid_at, $1::uuid, $2::uuid, $3::uuid, $4::text, now(), now()
         from docs d)
     insert into invoice_lines (id, invoice_id, position, product_id, name, quantity, unit_net, unit_gross, vat_rate, net_amount, vat_amount, gross_amount)
     select gen_random_uuid(), d.id, (l.line->>'position')::int4, ($8::uuid[])[d.lines_from + l.n], l.line->>'name',
            (l.line->>'quantity')::numeric, (l.line->>'unitNet')::numeric, (l.line->>'unitGross')::numeric, (l.line->>'vatRate')::numeric,
            (l.line->>'net')::numeric, (l.line->>'vat')::numeric, (l.line->>'gross')::numeric
       from docs d cross join lateral jsonb_array_elements(d.doc->'lines') with ordinality as l(line, n)`,
      [
        scope.tenantId,
        scope.companyId,
        scope.integrationId,
        scope.pluginId,
        scope.heldKind ?? null,
        documentsJson(invoices, scope),
        JSON.stringify(invoices.map((i) => i.draft.customer ?? {})),
        productIds,
        ...rows.values,
        invoices.map((i) => i.draft.externalId),
      ],
    ),
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
