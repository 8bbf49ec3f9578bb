import PDFDocument, { shareFontLayouts } from './pdfkit.ts';
import type { ICompany } from '../db/entities/company.entity.ts';
import type { IInvoiceLine } from '../db/entities/invoice-line.entity.ts';
import type { IInvoice } from '../db/entities/invoice.entity.ts';
import { totalsByRate } from './money.ts';
import { addressLines, pdfFonts, printable } from './pdf-layout.ts';

export type PdfInvoice = Pick<
  IInvoice,
  | 'number'
  | 'issueDate'
  | 'saleDate'
  | 'currency'
  | 'netTotal'
  | 'vatTotal'
  | 'grossTotal'
  | 'status'
  | 'paidAt'
  | 'externalOrderId'
  | 'buyer'
>;
export type PdfLine = Pick<
  IInvoiceLine,
  'position' | 'name' | 'quantity' | 'unitNet' | 'vatRate' | 'netAmount' | 'vatAmount' | 'grossAmount'
>;
export type PdfCompany = Pick<ICompany, 'name' | 'taxId' | 'address'> &
  Partial<Pick<ICompany, 'registrationNumber' | 'country'>>;

/** The buyer as printed: the invoice's own snapshot (`invoices.buyer`) unless given. */
export interface PdfBuyer {
  name?: string | null;
  companyName?: string | null;
  taxId?: string | null;
  email?: string | null;
  address?: unknown;
}

export interface InvoicePdfInput {
  invoice: PdfInvoice;
  lines: readonly PdfLine[];
  company: PdfCompany | null;
  buyer?: PdfBuyer;
  /** Uncompressed content streams (tests read the text operators). */
  compress?: boolean;
}

/** Allegro refuses invoice files over 3 MB (POST …/invoices then PUT the file → 413). */
export const MAX_PDF_BYTES = 3 * 1024 * 1024;

const MARGIN = 40;
// Columns of the lines table: [label, width, align]; widths add up to the 515 pt of A4 between margins.
const COLUMNS: readonly [string, number, 'left' | 'right'][] = [
  ['No', 22, 'left'],
  ['Name', 181, 'left'],
  ['Qty', 42, 'right'],
  ['Unit net', 58, 'right'],
  ['VAT %', 38, 'right'],
  ['Net', 58, 'right'],
  ['VAT', 56, 'right'],
  ['Gross', 60, 'right'],
];

const trimQuantity = (q: string) => (q.includes('.') ? q.replace(/\.?0+$/, '') : q);
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * Renders an invoice as an A4 PDF: number, dates, issuer and buyer with tax ids, every line with
 * its VAT, totals per VAT rate and in all, in the invoice's currency (SPEC "Invoicing core").
 * Deterministic for the same input: the creation date is the issue date.
 */
export function renderInvoicePdf(input: InvoicePdfInput): Promise<Buffer> {
  const { invoice, company } = input;
  const fonts = pdfFonts();
  const t = (value: string) => printable(value, fonts);
  const buyerSnapshot = invoice.buyer as PdfBuyer;
  const buyer: PdfBuyer = input.buyer ?? buyerSnapshot;
  const lines = [...input.lines].sort((a, b) => a.position - b.position);
  const issued = new Date(`${invoice.issueDate}T00:00:00Z`);

  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      // No default font: pdfkit would parse Helvetica's metrics for every document, unused here.
      font: null as unknown as string,
      margin: MARGIN,
      compress: input.compress ?? true,
      info: {
        Title: `Invoice ${invoice.number}`,
        Producer: 'marketplace-connector-host',
        Creator: 'marketplace-connector-host',
        CreationDate: issued,
      },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => {
      const pdf = Buffer.concat(chunks);
      if (pdf.length > MAX_PDF_BYTES)
        reject(new Error(`invoice PDF is ${pdf.length} bytes, over the 3 MB marketplaces accept`));
      else resolve(pdf);
    });
    doc.on('error', reject);
    doc.registerFont('regular', fonts.regular);
    doc.registerFont('bold', fonts.bold);
    shareFontLayouts(doc, fonts.builtIn ? [] : ['regular']);
    const width = doc.page.width - 2 * MARGIN;
    /**
     * Selects the font at `size`, bold or not; returns the text options that draw it. An embedded
     * font file costs a subset per document (~20% of a render and a third of the file): embedded,
     * bold is the regular outlines filled and stroked; pdfkit's built-in fonts have a real bold.
     */
    const font = (size: number, bold = false): PDFKit.Mixins.TextOptions => {
      doc.fontSize(size);
      if (fonts.builtIn) {
        doc.font(bold ? 'bold' : 'regular');
        return {};
      }
      doc.font('regular');
      if (!bold) return {};
      doc.lineWidth(size * 0.035).strokeColor('black');
      return { fill: true, stroke: true };
    };

    doc.text(t(`Invoice ${invoice.number}`), font(18, true));
    font(9);
    doc.moveDown(0.3);
    doc.text(
      t(
        `Issue date: ${invoice.issueDate}    Sale date: ${invoice.saleDate}    Currency: ${invoice.currency}`,
      ),
    );
    if (invoice.externalOrderId) doc.text(t(`Marketplace order: ${invoice.externalOrderId}`));
    if (invoice.status === 'paid')
      doc.text(
        t(`Paid${invoice.paidAt ? ` on ${new Date(invoice.paidAt).toISOString().slice(0, 10)}` : ''}`),
      );
    if (invoice.status === 'cancelled') {
      doc.text('CANCELLED', font(9, true));
      font(9);
    }
    doc.moveDown();

    // Issuer and buyer side by side.
    const top = doc.y;
    const half = width / 2 - 10;
    const party = (title: string, x: number, rows: string[]) => {
      doc.text(title, x, top, { width: half, ...font(10, true) });
      font(9);
      for (const row of rows.filter(Boolean)) doc.text(t(row), x, doc.y, { width: half });
      return doc.y;
    };
    const sellerBottom = party('Seller', MARGIN, [
      company?.name ?? '',
      company?.taxId ? `Tax id: ${company.taxId}` : '',
      company?.registrationNumber ? `Reg. no: ${company.registrationNumber}` : '',
      ...addressLines(company?.address),
    ]);
    const buyerName = str(buyer.companyName) || str(buyer.name);
    const buyerBottom = party('Buyer', MARGIN + half + 20, [
      buyerName,
      buyerName !== str(buyer.name) ? str(buyer.name) : '',
      str(buyer.taxId) ? `Tax id: ${str(buyer.taxId)}` : '',
      ...addressLines(buyer.address),
      str(buyer.email),
    ]);
    doc.x = MARGIN;
    doc.y = Math.max(sellerBottom, buyerBottom) + 16;

    const row = (cells: string[], bold = false) => {
      font(8, bold);
      // Most cells are one short line: measured by width, set without the line wrapper (the bulk
      // of a render otherwise); a cell too wide for its column wraps.
      const lineHeight = doc.currentLineHeight(true);
      const texts = cells.map((c, i) => {
        const text = t(c);
        const room = COLUMNS[i]![1] - 4;
        const textWidth = doc.widthOfString(text);
        return { text, room, textWidth, fits: textWidth <= room && !text.includes('\n') };
      });
      const height = Math.max(
        ...texts.map((c) => (c.fits ? lineHeight : doc.heightOfString(c.text, { width: c.room }))),
      );
      if (doc.y + height > doc.page.height - MARGIN) doc.addPage();
      // After any new page: the stroke of bold text is page state.
      const style = font(8, bold);
      const y = doc.y;
      let x = MARGIN;
      texts.forEach((cell, i) => {
        const [, w, align] = COLUMNS[i]!;
        if (!cell.text) {
          // nothing to draw
        } else if (cell.fits) {
          const left = align === 'right' ? x + cell.room - cell.textWidth : x;
          doc.text(cell.text, left, y, { lineBreak: false, ...style });
        } else doc.text(cell.text, x, y, { width: cell.room, align, ...style });
        x += w;
      });
      doc.y = y + height + 3;
      doc
        .moveTo(MARGIN, doc.y - 1.5)
        .lineTo(MARGIN + width, doc.y - 1.5)
        .lineWidth(0.3)
        .strokeColor('#999999')
        .stroke();
    };
    row(
      COLUMNS.map(([label]) => label),
      true,
    );
    for (const line of lines) {
      row([
        String(line.position),
        line.name,
        trimQuantity(line.quantity),
        line.unitNet,
        line.vatRate,
        line.netAmount,
        line.vatAmount,
        line.grossAmount,
      ]);
    }

    // VAT summary per rate, then the totals (sums of the lines, as stored).
    doc.moveDown();
    const summary = totalsByRate(
      lines.map((l) => ({ vatRate: l.vatRate, net: l.netAmount, vat: l.vatAmount, gross: l.grossAmount })),
    );
    row(['', 'VAT summary', '', '', 'Rate', 'Net', 'VAT', 'Gross'], true);
    for (const rate of summary) row(['', '', '', '', rate.vatRate, rate.net, rate.vat, rate.gross]);
    row(
      ['', `Total (${invoice.currency})`, '', '', '', invoice.netTotal, invoice.vatTotal, invoice.grossTotal],
      true,
    );

    doc.moveDown();
    doc.text(t(`Amount due: ${invoice.grossTotal} ${invoice.currency}`), MARGIN, doc.y, {
      width,
      align: 'right',
      ...font(12, true),
    });
    doc.end();
  });
}
