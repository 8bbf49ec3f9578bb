import type { EntityManager } from '@mikro-orm/core';
import { Company } from '../db/entities/company.entity.ts';
import { InvoiceLine } from '../db/entities/invoice-line.entity.ts';
import { Invoice, type IInvoice } from '../db/entities/invoice.entity.ts';
import { renderInvoicePdf } from './pdf.ts';

/** Loads an invoice with its lines and issuer and renders its PDF (API download and uploads). */
export async function invoicePdf(em: EntityManager, invoice: IInvoice | string): Promise<Buffer> {
  const row = typeof invoice === 'string' ? await em.findOneOrFail(Invoice, { id: invoice }) : invoice;
  const lines = await em.find(InvoiceLine, { invoiceId: row.id }, { orderBy: { position: 'asc' } });
  const company = await em.findOne(Company, { id: row.companyId });
  return renderInvoicePdf({ invoice: row, lines, company });
}
