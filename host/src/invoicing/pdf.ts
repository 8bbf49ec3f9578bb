import PDFDocument from 'pdfkit';
import type { ICompany } from '../db/entities/company.entity.ts';
import type { IInvoiceLine } from '../db/entities/invoice-line.entity.ts';
import type { IInvoice } from '../db/entities/invoice.entity.ts';

export interface InvoicePdfInput {
  invoice: IInvoice;
  lines: IInvoiceLine[];
  company: ICompany | null;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/**
 * A plain A4 invoice: issuer, buyer, lines with VAT per line, totals. pdfkit's built-in Helvetica
 * covers Latin-1 only; names with other letters print with substitutes until an embedded font
 * with full Unicode coverage is added.
 */
export function renderInvoicePdf({ invoice, lines, company }: InvoicePdfInput): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Invoice ${invoice.number}` } });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    doc.fontSize(18).text(`Invoice ${invoice.number}`);
    doc.moveDown(0.5).fontSize(10);
    doc.text(
      `Issue date: ${invoice.issueDate}    Sale date: ${invoice.saleDate}    Currency: ${invoice.currency}`,
    );
    if (invoice.externalOrderId) doc.text(`Marketplace order: ${invoice.externalOrderId}`);
    doc.moveDown();

    doc.fontSize(11).text('Seller', { underline: true }).fontSize(10);
    doc.text(company?.name ?? '');
    if (company?.taxId) doc.text(`Tax id: ${company.taxId}`);
    if (company?.address) doc.text(Object.values(company.address).filter(Boolean).join(', '));
    doc.moveDown();

    const buyer = invoice.buyer;
    doc.fontSize(11).text('Buyer', { underline: true }).fontSize(10);
    doc.text(text(buyer.companyName) || text(buyer.name));
    if (text(buyer.taxId)) doc.text(`Tax id: ${text(buyer.taxId)}`);
    doc.moveDown();

    doc.fontSize(11).text('Lines', { underline: true }).fontSize(9);
    for (const line of [...lines].sort((a, b) => a.position - b.position)) {
      doc.text(
        `${line.position}. ${line.name} — ${line.quantity} × ${line.unitNet} net, VAT ${line.vatRate}%: ` +
          `${line.netAmount} + ${line.vatAmount} = ${line.grossAmount}`,
      );
    }
    doc.moveDown().fontSize(11);
    doc.text(`Net: ${invoice.netTotal} ${invoice.currency}`);
    doc.text(`VAT: ${invoice.vatTotal} ${invoice.currency}`);
    doc.text(`Total: ${invoice.grossTotal} ${invoice.currency}`);
    doc.end();
  });
}
