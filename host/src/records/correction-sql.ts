import { randomUUID } from 'node:crypto';
import type { PgLikeClient } from '../db/pglite-pool.ts';
import {
  buildCorrectionDocument,
  CorrectionError,
  correctionLines,
  type CorrectionKind,
  type CorrectionScope,
} from '../invoicing/correction-document.ts';
import { CORRECTION_LABELS } from '../invoicing/correction-labels.ts';
import type { FrozenDocument } from '../invoicing/frozen-document.ts';
import { isDocumentLanguage } from '../invoicing/pdf-document.ts';
import { formatInvoiceNumber, periodOf, reserveNumbers } from '../invoicing/numbering.ts';

/**
 * Issuing a correction, inside the caller's transaction: the corrected invoice's row is locked
 * (corrections of one invoice queue), a correction already issued under the same key is returned
 * as it is (a retry, a duplicate event or a takeover after a crash issues nothing new), and a new
 * one gets the next number of the company's correction series and its frozen document in the same
 * transaction — so it exists whole, numbered without a gap, or not at all.
 */

export interface CorrectionRequest {
  tenantId: string;
  /** The corrected invoice. */
  invoiceId: string;
  /** Unique per invoice: the same key never issues a second correction. */
  key: string;
  kind: CorrectionKind;
  reason: string;
  scope: CorrectionScope;
  /** `YYYY-MM-DD`; today (UTC) when absent. */
  issueDate?: string;
  /** Only an invoice of this integration may be corrected (a plugin's request). */
  integrationId?: string;
}

export interface IssuedCorrection {
  id: string;
  number: string;
  /** False when the key had issued it already. */
  created: boolean;
  totals: { net: string; vat: string; gross: string };
}

interface InvoiceRow {
  id: string;
  tenant_id: string;
  company_id: string;
  integration_id: string | null;
  plugin_id: string | null;
  external_order_id: string | null;
  customer_id: string | null;
  buyer: Record<string, unknown>;
  type: string;
  document: FrozenDocument | null;
}

const MAX_KEY = 200;
const MAX_REASON = 500;

export async function issueCorrection(
  client: PgLikeClient,
  request: CorrectionRequest,
): Promise<IssuedCorrection> {
  const key = request.key.trim();
  if (!key || key.length > MAX_KEY)
    throw new CorrectionError(
      `A correction needs a key of 1 to ${MAX_KEY} characters (it makes it issue once).`,
    );
  const reason = request.reason.trim();
  if (!reason || reason.length > MAX_REASON)
    throw new CorrectionError(
      `Give the reason for the correction (1 to ${MAX_REASON} characters); it is printed on it.`,
    );
  const { rows } = await client.query<InvoiceRow>(
    `select id, tenant_id, company_id, integration_id, plugin_id, external_order_id, customer_id, buyer, type, document
       from invoices where id = $1 and tenant_id = $2 for update`,
    [request.invoiceId, request.tenantId],
  );
  const invoice = rows[0];
  if (!invoice || (request.integrationId && invoice.integration_id !== request.integrationId))
    throw new CorrectionError(`Invoice ${request.invoiceId} was not found.`);
  if (invoice.type !== 'invoice')
    throw new CorrectionError('A correction corrects an invoice; correct the original invoice instead.');
  if (!invoice.document)
    throw new CorrectionError(
      'This invoice was issued before documents were frozen and cannot be corrected here; issue its correction by hand.',
    );
  const done = await client.query<{
    id: string;
    number: string;
    net_total: string;
    vat_total: string;
    gross_total: string;
  }>(
    `select id, number, net_total, vat_total, gross_total from invoices where corrects = $1 and correction_key = $2`,
    [invoice.id, key],
  );
  if (done.rows[0]) {
    const r = done.rows[0];
    return {
      id: r.id,
      number: r.number,
      created: false,
      totals: { net: String(r.net_total), vat: String(r.vat_total), gross: String(r.gross_total) },
    };
  }
  const earlier = await client.query<{ document: FrozenDocument }>(
    `select document from invoices where corrects = $1 and document is not null order by created_at, sequence`,
    [invoice.id],
  );
  const original = invoice.document;
  const lines = correctionLines(
    original,
    earlier.rows.map((r) => r.document),
    request.scope,
  );
  const issueDate = request.issueDate ?? new Date().toISOString().slice(0, 10);
  const series = await correctionSeries(client, {
    tenantId: invoice.tenant_id,
    companyId: invoice.company_id,
    currency: original.currency,
  });
  const period = periodOf(series.reset, issueDate);
  const block = await reserveNumbers(client, { seriesId: series.id, count: 1, period });
  const number = formatInvoiceNumber({
    pattern: block.series.pattern,
    code: block.series.code,
    issueDate,
    n: block.first,
  });
  const document = buildCorrectionDocument({
    invoice: original,
    invoiceId: invoice.id,
    lines,
    seriesCode: block.series.code,
    number,
    issueDate,
    kind: request.kind,
    reason,
  });
  const id = randomUUID();
  await client.query(
    `insert into invoices (id, tenant_id, company_id, series_id, period, series_code, type, document, sequence, number,
                           integration_id, plugin_id, external_order_id, external_order_revision, customer_id, buyer,
                           issue_date, sale_date, currency, net_total, vat_total, gross_total, status, paid_at,
                           corrects, correction_key, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, 'correction', $7::jsonb, $8, $9, $10, $11, $12, null, $13, $14::jsonb,
             $15, $16, $17, $18, $19, $20, 'issued', null, $21, $22, clock_timestamp(), clock_timestamp())`,
    [
      id,
      invoice.tenant_id,
      invoice.company_id,
      block.series.id,
      block.period,
      block.series.code,
      JSON.stringify(document),
      block.first,
      number,
      invoice.integration_id,
      invoice.plugin_id,
      invoice.external_order_id,
      invoice.customer_id,
      JSON.stringify(invoice.buyer ?? {}),
      issueDate,
      document.saleDate,
      document.currency,
      document.totals.net,
      document.totals.vat,
      document.totals.gross,
      invoice.id,
      key,
    ],
  );
  await client.query(
    `insert into invoice_lines (id, invoice_id, position, product_id, name, quantity, unit_net, unit_gross, vat_rate, net_amount, vat_amount, gross_amount)
     select gen_random_uuid(), $1, l.position, o.product_id, l.name, l.quantity, l.unit_net, l.unit_gross, l.vat_rate, l.net, l.vat, l.gross
       from unnest($2::int4[], $3::text[], $4::numeric[], $5::numeric[], $6::numeric[], $7::numeric[], $8::numeric[], $9::numeric[], $10::numeric[])
            as l(position, name, quantity, unit_net, unit_gross, vat_rate, net, vat, gross)
       left join invoice_lines o on o.invoice_id = $11 and o.position = l.position`,
    [
      id,
      lines.map((l) => l.position),
      lines.map((l) => l.name),
      lines.map((l) => l.quantity),
      lines.map((l) => l.unitNet),
      lines.map((l) => l.unitGross),
      lines.map((l) => l.vatRate),
      lines.map((l) => l.net),
      lines.map((l) => l.vat),
      lines.map((l) => l.gross),
      invoice.id,
    ],
  );
  return { id, number, created: true, totals: document.totals };
}

/**
 * The company's correction series for a currency, created when missing: `FK` for the national
 * currency, `FK-<currency>` for another, `{code}/{yyyy}/{n}` reset yearly — numbered apart from
 * invoices (SPEC "Invoicing core": gap-free numbering per series).
 */
export async function correctionSeries(
  client: PgLikeClient,
  options: { tenantId: string; companyId: string; currency: string },
): Promise<{ id: string; reset: string }> {
  const find = () =>
    client.query<{ id: string; reset: string }>(
      `select s.id, s.reset from invoice_series s join companies c on c.id = s.company_id
        where s.company_id = $1 and s.document_type = 'correction' and coalesce(s.currency, c.default_currency) = $2
        order by s.is_default desc, s.created_at limit 1`,
      [options.companyId, options.currency],
    );
  let found = await find();
  if (!found.rows[0]) {
    await client.query(
      `insert into invoice_series (id, tenant_id, company_id, code, pattern, next_number, is_default, document_type, reset, currency, created_at)
       select $1, $2, $3, case when c.default_currency = $4 then 'FK' else 'FK-' || $4 end, '{code}/{yyyy}/{n}', 1,
              false, 'correction', 'yearly', $4, now()
         from companies c where c.id = $3
       on conflict (company_id, code) do nothing`,
      [randomUUID(), options.tenantId, options.companyId, options.currency],
    );
    found = await find();
  }
  const row = found.rows[0];
  if (!row)
    throw new CorrectionError(
      `The company has a series coded FK for another use; add a correction series for ${options.currency} under Settings → Company.`,
    );
  return row;
}

/**
 * Corrects an invoice to zero because its order was cancelled (key `cancellation`: once per
 * invoice). False when the invoice has no frozen document (issued before them: the caller stamps
 * it instead); an invoice already corrected to zero by returns needs nothing more.
 */
export async function cancelByCorrection(
  client: PgLikeClient,
  tenantId: string,
  invoiceId: string,
): Promise<boolean> {
  const { rows } = await client.query<{ frozen: boolean; language: string | null }>(
    `select document is not null as frozen, document->>'language' as language from invoices where id = $1`,
    [invoiceId],
  );
  if (!rows[0]?.frozen) return false;
  const language = rows[0].language;
  try {
    await issueCorrection(client, {
      tenantId,
      invoiceId,
      key: 'cancellation',
      kind: 'cancellation',
      reason: CORRECTION_LABELS[isDocumentLanguage(language) ? language : 'en'].orderCancelled,
      scope: { all: true },
    });
  } catch (error) {
    if (!(error instanceof CorrectionError && error.code === 'nothing_left')) throw error;
  }
  return true;
}
