import type { EntityManager } from '@mikro-orm/core';
import type { Principal } from '../../auth/principal.ts';
import { assertTenantAccess } from '../../auth/access.ts';
import { Invoice, type IInvoice } from '../../db/entities/invoice.entity.ts';
import { notFound } from '../../errors.ts';
import { findAccessibleIntegration, tenantFilter, UUID } from '../../integrations/access.ts';

export interface InvoiceView {
  id: string;
  number: string;
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
  status: IInvoice['status'];
  createdAt: string;
  pdfUrl: string;
}

export function toInvoiceView(row: IInvoice): InvoiceView {
  const buyer = row.buyer;
  const name =
    typeof buyer.name === 'string'
      ? buyer.name
      : typeof buyer.companyName === 'string'
        ? buyer.companyName
        : null;
  return {
    id: row.id,
    number: row.number,
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
    status: row.status,
    createdAt: new Date(row.createdAt).toISOString(),
    pdfUrl: `/api/v1/invoices/${row.id}/pdf`,
  };
}

/** The caller's invoices, newest first; an integration filter must be one the caller may see. */
export async function listInvoices(
  em: EntityManager,
  input: { principal: Principal; integrationId?: string; tenantId?: string; limit?: number; offset?: number },
): Promise<{ invoices: InvoiceView[]; total: number }> {
  const where: Record<string, unknown> = {};
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
