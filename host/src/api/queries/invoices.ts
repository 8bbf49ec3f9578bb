import type { EntityManager } from '@mikro-orm/core';
import type { Principal } from '../../auth/principal.ts';
import { assertTenantAccess } from '../../auth/access.ts';
import { Invoice, type IInvoice } from '../../db/entities/invoice.entity.ts';
import { notFound } from '../../errors.ts';
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
  status: 'pending' | 'sent' | 'accepted' | 'rejected' | 'offline';
  /** The authority's number for the document once accepted (KSeF number, e-Factura index). */
  number: string | null;
  /** What stopped or failed it, each with where (`location`) when known. */
  errors: { location?: string; message: string }[];
  updatedAt: string | null;
}

const CLEARANCE_STATUSES = new Set(['pending', 'sent', 'accepted', 'rejected', 'offline']);

/** The stored clearance as the API shows it; null when none, or the authority does not take it. */
export function toClearanceView(stored: Record<string, unknown> | null | undefined): ClearanceView | null {
  if (!stored || typeof stored.status !== 'string' || !CLEARANCE_STATUSES.has(stored.status)) return null;
  return {
    authority: typeof stored.authority === 'string' ? stored.authority : '',
    status: stored.status as ClearanceView['status'],
    number: typeof stored.number === 'string' ? stored.number : null,
    errors: Array.isArray(stored.errors) ? (stored.errors as ClearanceView['errors']) : [],
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

/** The caller's invoices, newest first; an integration filter must be one the caller may see. */
export async function listInvoices(
  em: EntityManager,
  input: {
    principal: Principal;
    integrationId?: string;
    tenantId?: string;
    limit?: number;
    offset?: number;
    type?: string;
    /** Number, buyer name or marketplace order number (substring, any case). */
    q?: string;
    /** Issue dates, inclusive (`YYYY-MM-DD`). */
    from?: string;
    to?: string;
    currency?: string;
  },
): Promise<{ invoices: InvoiceView[]; total: number }> {
  const where: Record<string, unknown> = {};
  if (input.type) where.type = input.type;
  if (input.currency) where.currency = input.currency.toUpperCase();
  if (input.from || input.to)
    where.issueDate = {
      ...(input.from ? { $gte: input.from } : {}),
      ...(input.to ? { $lte: input.to } : {}),
    };
  if (input.q) {
    const like = `%${input.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.$or = [
      { number: { $ilike: like } },
      { externalOrderId: { $ilike: like } },
      { buyer: { name: { $ilike: like } } },
      { buyer: { companyName: { $ilike: like } } },
    ];
  }
  const tenantId = tenantFilter(input.principal, input.tenantId);
  if (tenantId) where.tenantId = tenantId;
  if (input.integrationId) {
    const integration = await findAccessibleIntegration(em, input.principal, input.integrationId);
    where.integrationId = integration.id;
  }
  const [rows, total] = await em.findAndCount(Invoice, where, {
    orderBy: { createdAt: 'desc', sequence: 'desc' },
    limit: input.limit ?? 50,
    offset: input.offset ?? 0,
  });
  return { invoices: rows.map(toInvoiceView), total };
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
