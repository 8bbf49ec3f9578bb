import { raw, type EntityManager } from '@mikro-orm/core';
import { z } from 'zod';
import type { Principal } from '../../auth/principal.ts';
import { assertTenantAccess } from '../../auth/access.ts';
import { Invoice, INVOICE_STATUSES, type IInvoice } from '../../db/entities/invoice.entity.ts';
import { notFound } from '../../errors.ts';
import { dueAttention, validDue } from '../../invoicing/clearance-due.ts';
import { searchTextOf } from '../../db/invoice-search.ts';
import { findAccessibleIntegration, tenantFilter, UUID } from '../../integrations/access.ts';

export interface InvoiceView {
  id: string;
  /** `invoice` or `correction`. */
  type: string;
  number: string;
  /** The series code the number belongs to (`FV`). */
  series: string | null;
  integrationId: string | null;
  pluginId: string | null;
  /** The marketplace order the invoice was made from. */
  externalOrderId: string | null;
  buyerName: string | null;
  issueDate: string;
  saleDate: string;
  currency: string;
  netTotal: string;
  vatTotal: string;
  grossTotal: string;
  totalNet: string;
  totalVat: string;
  totalGross: string;
  status: IInvoice['status'];
  /** The corrected document's id, or null. */
  corrects: string | null;
  /** Clearance by a tax authority's system; null until a clearance plugin handles the document. */
  clearance: ClearanceView | null;
  createdAt: string;
  pdfUrl: string;
}

/** `clearance` of the invoice API (SPEC "Interfaces"). */
export interface ClearanceView {
  /** The authority's id as its plugin's manifest names it (`ksef`, `ro-efactura`). */
  authority: string;
  /** The authority as people know it (the manifest's `documents.title`, e.g. "RO e-Factura"). */
  authorityTitle: string;
  status: 'pending' | 'sent' | 'accepted' | 'rejected' | 'offline';
  /** The authority's number for the document once accepted (KSeF number, e-Factura index). */
  number: string | null;
  /** What stopped or failed it, each with where (`location`) when known. */
  errors: { location?: string; message: string }[];
  /** The last day the authority must have it (`YYYY-MM-DD`), when the plugin gave one. */
  deadline: string | null;
  /** Not yet accepted and the deadline is near (`due-soon`) or past (`overdue`); else null. */
  attention: 'overdue' | 'due-soon' | null;
  updatedAt: string | null;
}

const CLEARANCE_STATUSES = new Set(['pending', 'sent', 'accepted', 'rejected', 'offline']);
/** The stored clearance as the API shows it; null when none, or the authority does not take it. */
export function toClearanceView(
  stored: Record<string, unknown> | null | undefined,
  now = new Date(),
): ClearanceView | null {
  if (!stored || typeof stored.status !== 'string' || !CLEARANCE_STATUSES.has(stored.status)) return null;
  const status = stored.status as ClearanceView['status'];
  const authority = typeof stored.authority === 'string' ? stored.authority : '';
  const due = validDue(stored.due);
  return {
    authority,
    authorityTitle: typeof stored.authorityTitle === 'string' ? stored.authorityTitle : authority,
    status,
    number: typeof stored.number === 'string' ? stored.number : null,
    errors: Array.isArray(stored.errors) ? (stored.errors as ClearanceView['errors']) : [],
    deadline: due?.by ?? null,
    attention: due && status !== 'accepted' ? dueAttention(due, now) : null,
    updatedAt: typeof stored.updatedAt === 'string' ? stored.updatedAt : null,
  };
}

export function toInvoiceView(row: IInvoice): InvoiceView {
  const buyer = row.buyer;
  const frozenName = row.document?.buyer.companyName ?? row.document?.buyer.name;
  const name =
    frozenName ??
    (typeof buyer.name === 'string'
      ? buyer.name
      : typeof buyer.companyName === 'string'
        ? buyer.companyName
        : null);
  return {
    id: row.id,
    type: row.type,
    number: row.number,
    series: row.seriesCode ?? null,
    integrationId: row.integrationId ?? null,
    pluginId: row.pluginId ?? null,
    externalOrderId: row.externalOrderId ?? null,
    buyerName: name,
    issueDate: row.issueDate,
    saleDate: row.saleDate,
    currency: row.currency,
    netTotal: row.netTotal,
    vatTotal: row.vatTotal,
    grossTotal: row.grossTotal,
    totalNet: row.netTotal,
    totalVat: row.vatTotal,
    totalGross: row.grossTotal,
    status: row.status,
    corrects: row.corrects ?? null,
    clearance: toClearanceView(row.clearance),
    createdAt: new Date(row.createdAt).toISOString(),
    pdfUrl: `/api/v1/invoices/${row.id}/pdf`,
  };
}

export const CLEARANCE_FILTERS = [
  'none',
  'pending',
  'held',
  'sent',
  'accepted',
  'rejected',
  'offline',
  'due',
] as const;
export const INVOICE_SORTS = [
  'created',
  '-created',
  'issueDate',
  '-issueDate',
  'number',
  '-number',
  'total',
  '-total',
] as const;
export type InvoiceSort = (typeof INVOICE_SORTS)[number];

/** The list's filters as a query string or tRPC input (REST list, CSV export, console workspace). */
export const InvoiceFilterInput = z.object({
  integrationId: z.string().min(1).max(100).optional(),
  tenantId: z.uuid().optional(),
  type: z.enum(['invoice', 'correction']).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'must be an ISO 4217 code such as PLN')
    .optional(),
  status: z.enum(INVOICE_STATUSES).optional(),
  clearance: z.enum(CLEARANCE_FILTERS).optional(),
  sort: z.enum(INVOICE_SORTS).optional(),
});

/** Only the filters that were given (for `exactOptionalPropertyTypes`). */
export function givenFilters(input: z.infer<typeof InvoiceFilterInput> | undefined) {
  return Object.fromEntries(
    Object.entries(input ?? {}).filter(([, v]) => v !== undefined && v !== ''),
  ) as Omit<InvoiceFilters, 'principal'>;
}

/** The filters of the invoice list, its CSV export and the console's workspace. */
export interface InvoiceFilters {
  principal: Principal;
  integrationId?: string;
  tenantId?: string;
  type?: string;
  /** Number, buyer name or marketplace order number (substring, any case). */
  q?: string;
  /** Issue dates, inclusive (`YYYY-MM-DD`). */
  from?: string;
  to?: string;
  currency?: string;
  /** The invoice's own status (issued, paid, cancelled). */
  status?: string;
  /** Its clearance: none yet, a state, `held` (pending with errors) or `due` (not accepted, deadline near or past). */
  clearance?: (typeof CLEARANCE_FILTERS)[number];
  sort?: InvoiceSort;
}

/** The MikroORM condition for the filters; an integration filter must be one the caller may see. */
export async function invoiceWhere(
  em: EntityManager,
  input: InvoiceFilters,
): Promise<Record<string, unknown>> {
  const where: Record<string, unknown> = {};
  if (input.type) where.type = input.type;
  if (input.status) where.status = input.status;
  if (input.currency) where.currency = input.currency.toUpperCase();
  if (input.from || input.to)
    where.issueDate = {
      ...(input.from ? { $gte: input.from } : {}),
      ...(input.to ? { $lte: input.to } : {}),
    };
  // MikroORM 7 keys a raw fragment by a symbol.
  const rawWhere = where as Record<symbol, unknown>;
  if (input.q) {
    // The text the trigram index covers (migration 20261205070000), so a substring search over
    // many documents reads the index, not every document.
    const like = `%${input.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    rawWhere[raw((a) => `${searchTextOf(a)} ilike ?`, [like])] = [];
  }
  if (input.clearance === 'none')
    rawWhere[raw((a) => `(${a}.clearance is null or ${a}.clearance ->> 'status' = 'not-required')`)] = [];
  else if (input.clearance === 'due')
    // The deadline is read in the authority's zone, as the view's `attention` reads it.
    rawWhere[
      raw(
        (a) => `(${a}.clearance ->> 'status' in ('pending', 'sent', 'rejected', 'offline')
          and ${a}.clearance -> 'due' ->> 'warnFrom' <= to_char(now() at time zone
            coalesce(${a}.clearance -> 'due' ->> 'timeZone', 'UTC'), 'YYYY-MM-DD'))`,
      )
    ] = [];
  else if (input.clearance === 'held')
    // Pending with what stops it: data to fix, a sign-in to renew (the plugin's errors say which).
    rawWhere[
      raw(
        (a) =>
          `(${a}.clearance ->> 'status' = 'pending' and jsonb_array_length(coalesce(${a}.clearance -> 'errors', '[]'::jsonb)) > 0)`,
      )
    ] = [];
  else if (input.clearance) where.clearance = { status: input.clearance };
  const tenantId = tenantFilter(input.principal, input.tenantId);
  if (tenantId) where.tenantId = tenantId;
  if (input.integrationId) {
    const integration = await findAccessibleIntegration(em, input.principal, input.integrationId);
    where.integrationId = integration.id;
  }
  return where;
}

const SORT_FIELDS: Record<string, [string, ...string[]]> = {
  created: ['createdAt', 'sequence'],
  issueDate: ['issueDate', 'createdAt', 'sequence'],
  number: ['number'],
  total: ['grossTotal', 'createdAt'],
};

/** The ORM `orderBy` of a sort name (`-` first: descending); ties end on the id. */
export function invoiceOrder(sort: InvoiceSort = '-created'): Record<string, 'asc' | 'desc'> {
  const direction = sort.startsWith('-') ? 'desc' : 'asc';
  const fields = SORT_FIELDS[sort.replace(/^-/, '')] ?? SORT_FIELDS.created!;
  return Object.fromEntries([...fields, 'id'].map((f) => [f, direction]));
}

/** The caller's invoices, newest first unless sorted otherwise. */
export async function listInvoices(
  em: EntityManager,
  input: InvoiceFilters & { limit?: number; offset?: number },
): Promise<{ invoices: InvoiceView[]; total: number }> {
  const where = await invoiceWhere(em, input);
  const [rows, total] = await em.findAndCount(Invoice, where, {
    orderBy: invoiceOrder(input.sort),
    limit: input.limit ?? 50,
    offset: input.offset ?? 0,
  });
  return { invoices: rows.map((r) => toInvoiceView(r)), total };
}

export async function findAccessibleInvoice(
  em: EntityManager,
  principal: Principal,
  id: string,
): Promise<IInvoice> {
  if (!UUID.test(id)) throw notFound('The invoice');
  const row = await em.findOne(Invoice, { id });
  if (!row) throw notFound('The invoice');
  assertTenantAccess(principal, row.tenantId, 'invoice');
  return row;
}

/**
 * The frozen document as `GET /api/v1/invoices/:id` answers it (SPEC "Interfaces"): the document
 * stored at issue, with the invoice's id, status and links. An invoice issued before documents
 * were frozen answers what its rows hold, `frozen: false`.
 */
export function toDocumentView(row: IInvoice): Record<string, unknown> {
  const view = toInvoiceView(row);
  const links = {
    id: row.id,
    integrationId: view.integrationId,
    pluginId: view.pluginId,
    status: row.status,
    paidAt: row.paidAt ? new Date(row.paidAt).toISOString() : null,
    corrects: row.corrects ?? null,
    correctedBy: [] as string[],
    clearance: view.clearance,
    pdfUrl: view.pdfUrl,
  };
  if (row.document) {
    const doc = row.document;
    return {
      ...links,
      frozen: true,
      type: doc.type,
      number: doc.number,
      series: doc.series,
      issueDate: doc.issueDate,
      saleDate: doc.saleDate,
      language: doc.language,
      seller: { name: doc.seller.legalName, ...doc.seller },
      buyer: { ...doc.buyer, taxId: doc.buyer.taxIds[0]?.value ?? null },
      lines: doc.lines,
      vatSummary: doc.vatSummary,
      totals: doc.totals,
      totalNet: doc.totals.net,
      totalVat: doc.totals.vat,
      totalGross: doc.totals.gross,
      currency: doc.currency,
      exchangeRate: doc.exchangeRate,
      taxCountry: doc.taxCountry,
      oss: doc.oss,
      externalOrderId: doc.externalOrderId,
      marketplace: doc.marketplace,
      payment: doc.payment,
      template: doc.template ?? null,
      reverseCharge: doc.reverseCharge ?? false,
      mentions: doc.mentions ?? [],
    };
  }
  return { ...links, ...view, frozen: false, exchangeRate: null };
}
