import PDFDocument, { shareFontLayouts } from './pdfkit.ts';
import { Decimal, totalsByRate } from './money.ts';
import type { RenderableInvoice, RenderableVatRow } from './pdf-document.ts';
import { type InvoiceLabels, labelsFor } from './pdf-labels.ts';
import { CORRECTION_LABELS } from './correction-labels.ts';
import { addressLines, pdfFonts, printable } from './pdf-layout.ts';
import { drawQr } from './pdf-qr.ts';

/** The invoice layouts a template picks from. */
export const INVOICE_LAYOUTS = ['classic', 'modern'] as const;
export type InvoiceLayout = (typeof INVOICE_LAYOUTS)[number];

/** How a company's template dresses its documents. */
export interface RenderTemplate {
  layout: InvoiceLayout;
  /** PNG or JPEG bytes, checked at upload (`checkLogo`). */
  logo?: Uint8Array | null;
  /** A note printed at the foot of the last page (registration court, share capital, thanks …). */
  footerNote?: string | null;
}

export interface InvoicePdfInput {
  document: RenderableInvoice;
  template?: RenderTemplate | null;
  /** Uncompressed content streams (tests read the text operators). */
  compress?: boolean;
}

/** A rendered PDF and every string drawn on it, in drawing order (what its text layer must hold). */
export interface RenderedInvoice {
  pdf: Buffer;
  text: string[];
}

/** Allegro refuses invoice files over 3 MB (POST …/invoices then PUT the file → 413). */
export const MAX_PDF_BYTES = 3 * 1024 * 1024;

const MARGIN = 40;
const ACCENT = '#1f4e79';
/** Widths of the lines table's columns; they add up to the 515 pt of A4 between margins. */
const WIDTHS = [20, 158, 36, 30, 56, 36, 58, 56, 65] as const;
const RIGHT = [false, false, true, false, true, true, true, true, true] as const;

const trimQuantity = (q: string) => (q.includes('.') ? q.replace(/\.?0+$/, '') : q);
const rateText = (r: string) => trimQuantity(r);

export function renderInvoicePdf(input: InvoicePdfInput): Promise<Buffer> {
  return renderInvoice(input).then((r) => r.pdf);
}

/**
 * Renders an invoice as an A4 PDF in the document's language (and, for labels, its second
 * language): number, dates, seller and buyer with tax ids, every line with its unit and VAT, the
 * VAT summary per rate, totals, payment, the marketplace's order number, the exchange-rate
 * statement of a foreign-currency invoice, and the clearance number and QR code when there are.
 * Deterministic for the same input: the creation date is the issue date.
 */
export function renderInvoice(input: InvoicePdfInput): Promise<RenderedInvoice> {
  const { document: d } = input;
  const layout = input.template?.layout ?? 'classic';
  const fonts = pdfFonts();
  const t = (value: string) => printable(value, fonts);
  const { primary: L, both } = labelsFor(d.language, d.secondLanguage);
  const drawn: string[] = [];
  const issued = new Date(`${d.issueDate}T00:00:00Z`);
  const title = `${both((l) => (d.type === 'correction' ? l.correction : l.invoice))} ${d.number}`;

  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      // No default font: pdfkit would parse Helvetica's metrics for every document, unused here.
      font: null as unknown as string,
      margin: MARGIN,
      compress: input.compress ?? true,
      lang: d.language,
      displayTitle: true,
      info: {
        Title: title,
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
      else resolve({ pdf, text: drawn });
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
    const font = (size: number, bold = false, color = 'black'): PDFKit.Mixins.TextOptions => {
      doc.fontSize(size).fillColor(color);
      if (fonts.builtIn) {
        doc.font(bold ? 'bold' : 'regular');
        return {};
      }
      doc.font('regular');
      if (!bold) return {};
      doc.lineWidth(size * 0.035).strokeColor(color);
      return { fill: true, stroke: true };
    };
    /** Draws text and records it as the text layer must hold it. */
    const put = (text: string, x?: number, y?: number, options: PDFKit.Mixins.TextOptions = {}) => {
      const printed = t(text);
      if (!printed) return;
      drawn.push(printed);
      if (x === undefined) doc.text(printed, options);
      else doc.text(printed, x, y, options);
    };

    // Header: the logo opposite the title; `modern` sets the title in a band of the accent colour.
    const logoBox = { w: 150, h: 60 };
    if (input.template?.logo) {
      const logo = Buffer.from(input.template.logo);
      const x = layout === 'modern' ? MARGIN : MARGIN + width - logoBox.w;
      const align = layout === 'modern' ? {} : { align: 'right' as const };
      doc.image(logo, x, MARGIN, { fit: [logoBox.w, logoBox.h], ...align });
    }
    if (layout === 'modern') {
      const bandTop = input.template?.logo ? MARGIN + logoBox.h + 8 : MARGIN;
      doc.rect(MARGIN, bandTop, width, 30).fill(ACCENT);
      put(title, MARGIN + 8, bandTop + 7, { width: width - 16, align: 'right', ...font(16, true, 'white') });
      doc.x = MARGIN;
      doc.y = bandTop + 38;
    } else {
      const titleWidth = input.template?.logo ? width - logoBox.w - 10 : width;
      put(title, MARGIN, MARGIN, { width: titleWidth, ...font(18, true) });
      if (input.template?.logo) doc.y = Math.max(doc.y, MARGIN + logoBox.h);
    }
    font(9);
    doc.moveDown(0.3);
    const meta: string[] = [
      `${both((l) => l.issueDate)}: ${d.issueDate}`,
      `${both((l) => l.saleDate)}: ${d.saleDate}`,
      `${both((l) => l.currency)}: ${d.currency}`,
    ];
    if (d.externalOrderId) meta.push(`${both((l) => l.orderNumber)}: ${d.externalOrderId}`);
    if (d.correction) {
      const c = CORRECTION_LABELS[d.language];
      meta.push(c.corrects(d.correction.correctedNumber, d.correction.correctedIssueDate));
      meta.push(`${c.reason}: ${d.correction.reason}`);
    }
    for (const m of meta) put(m, MARGIN, doc.y, { width });
    if (d.status === 'cancelled')
      put(
        both((l) => l.cancelled),
        MARGIN,
        doc.y,
        font(9, true),
      );
    font(9);
    doc.moveDown();

    // Seller and buyer side by side.
    const top = doc.y;
    const half = width / 2 - 10;
    const party = (label: string, x: number, rows: string[]) => {
      put(label, x, top, { width: half, ...font(10, true, layout === 'modern' ? ACCENT : 'black') });
      font(9);
      for (const row of rows.filter(Boolean)) put(row, x, doc.y, { width: half });
      return doc.y;
    };
    const partyRows = (p: RenderableInvoice['seller']) => [
      p.name,
      p.contactName && p.contactName !== p.name ? p.contactName : '',
      p.taxId ? `${both((l) => l.taxId)}: ${p.taxId}` : '',
      p.registrationNumber ? `${both((l) => l.registrationNumber)}: ${p.registrationNumber}` : '',
      ...addressLines(p.address),
      p.email ?? '',
    ];
    const sellerBottom = party(
      both((l) => l.seller),
      MARGIN,
      partyRows(d.seller),
    );
    const buyerBottom = party(
      both((l) => l.buyer),
      MARGIN + half + 20,
      partyRows(d.buyer),
    );
    const partiesBottom = Math.max(sellerBottom, buyerBottom);
    if (layout === 'modern') {
      doc.lineWidth(0.5).strokeColor(ACCENT);
      doc.rect(MARGIN - 4, top - 4, half + 8, partiesBottom - top + 8).stroke();
      doc.rect(MARGIN + half + 16, top - 4, half + 8, partiesBottom - top + 8).stroke();
    }
    doc.x = MARGIN;
    doc.y = partiesBottom + 16;

    const row = (cells: string[], bold = false, shaded = false) => {
      font(8, bold);
      // Most cells are one short line: measured by width, set without the line wrapper (the bulk
      // of a render otherwise); a cell too wide for its column wraps.
      const lineHeight = doc.currentLineHeight(true);
      const texts = cells.map((c, i) => {
        const text = t(c);
        const room = WIDTHS[i]! - 4;
        const textWidth = doc.widthOfString(text);
        return { text, room, textWidth, fits: textWidth <= room && !text.includes('\n') };
      });
      const height = Math.max(
        ...texts.map((c) => (c.fits ? lineHeight : doc.heightOfString(c.text, { width: c.room }))),
      );
      if (doc.y + height > doc.page.height - MARGIN) doc.addPage();
      const y = doc.y;
      if (shaded) doc.rect(MARGIN, y - 2, width, height + 4).fill('#e8eef5');
      // After any new page or fill: the stroke of bold text and the fill colour are page state.
      const style = font(8, bold);
      let x = MARGIN;
      texts.forEach((cell, i) => {
        const w = WIDTHS[i]!;
        if (cell.text) {
          drawn.push(cell.text);
          if (cell.fits) {
            const left = RIGHT[i] ? x + cell.room - cell.textWidth : x;
            doc.text(cell.text, left, y, { lineBreak: false, ...style });
          } else
            doc.text(cell.text, x, y, { width: cell.room, align: RIGHT[i] ? 'right' : 'left', ...style });
        }
        x += w;
      });
      doc.y = y + height + 3;
      doc
        .moveTo(MARGIN, doc.y - 1.5)
        .lineTo(MARGIN + width, doc.y - 1.5)
        .lineWidth(0.3)
        .strokeColor(layout === 'modern' ? ACCENT : '#999999')
        .stroke();
    };
    const c = (pick: (cols: typeof L.columns) => string) => both((l) => pick(l.columns));
    row(
      [
        c((x) => x.position),
        c((x) => x.name),
        c((x) => x.quantity),
        c((x) => x.unit),
        c((x) => x.unitNet),
        c((x) => x.vatRate),
        c((x) => x.net),
        c((x) => x.vat),
        c((x) => x.gross),
      ],
      true,
      layout === 'modern',
    );
    d.lines.forEach((line, i) =>
      row([
        String(i + 1),
        line.name,
        trimQuantity(line.quantity),
        line.unit || L.piece,
        line.unitNet,
        rateText(line.vatRate),
        line.net,
        line.vat,
        line.gross,
      ]),
    );

    // VAT summary per rate, then the totals (as the document states them).
    doc.moveDown();
    const summary: readonly RenderableVatRow[] = d.vatSummary ?? totalsByRate(d.lines);
    row(
      ['', both((l) => l.vatSummary), '', '', '', both((l) => l.rate), '', '', ''],
      true,
      layout === 'modern',
    );
    for (const r of summary) row(['', '', '', '', '', rateText(r.vatRate), r.net, r.vat, r.gross]);
    row(
      [
        '',
        `${both((l) => l.total)} (${d.currency})`,
        '',
        '',
        '',
        '',
        d.totals.net,
        d.totals.vat,
        d.totals.gross,
      ],
      true,
    );

    // Exchange rate: the rate, its source, table and date, and the VAT in the national currency.
    if (d.exchangeRate) {
      const r = d.exchangeRate;
      const vatNational =
        r.vatNational ??
        summary
          .reduce((sum, v) => sum.plus(new Decimal(v.vat).times(r.rate).toDecimalPlaces(2)), new Decimal(0))
          .toFixed(2);
      doc.moveDown(0.5);
      put(L.exchangeRate(r, d.currency), MARGIN, doc.y, { width, ...font(8) });
      put(L.vatNational(r.nationalCurrency, `${vatNational} ${r.nationalCurrency}`), MARGIN, doc.y, {
        width,
      });
    }

    // Legal mentions: reverse charge, OSS (in each language of the document).
    if (d.mentions?.length) {
      doc.moveDown(0.5);
      for (const mention of d.mentions) {
        const say = (l: InvoiceLabels) =>
          mention === 'reverse_charge' ? l.reverseCharge : l.oss(d.taxCountry ?? '');
        put(both(say), MARGIN, doc.y, { width, ...font(9, true) });
      }
    }

    // Payment.
    doc.moveDown();
    const payment = d.payment;
    const method = payment?.method ? (L.paymentMethods[payment.method] ?? payment.method) : '';
    const payRows = [
      method ? `${both((l) => l.paymentMethod)}: ${method}` : '',
      payment?.dueDate ? `${both((l) => l.dueDate)}: ${payment.dueDate}` : '',
      d.bankAccount ? `${both((l) => l.bankAccount)}: ${d.bankAccount}` : '',
      payment?.paidDate || d.status === 'paid'
        ? `${both((l) => l.paid)}${payment?.paidDate ? `: ${payment.paidDate}` : ''}`
        : '',
    ].filter(Boolean);
    font(9);
    for (const p of payRows) put(p, MARGIN, doc.y, { width });
    doc.moveDown(0.5);
    put(`${both((l) => l.amountDue)}: ${d.totals.gross} ${d.currency}`, MARGIN, doc.y, {
      width,
      align: 'right',
      ...font(12, true, layout === 'modern' ? ACCENT : 'black'),
    });

    // Clearance: the reserved area of the tax authority's number and verification QR code.
    if (d.clearance) {
      const qrSize = d.clearance.qrPayload ? 90 : 0;
      if (doc.y + Math.max(qrSize, 30) + 20 > doc.page.height - MARGIN) doc.addPage();
      doc.moveDown();
      const y = doc.y;
      put(`${both((l) => l.clearanceNumber)}: ${d.clearance.number}`, MARGIN, y, {
        width: width - qrSize - 10,
        ...font(9, true),
      });
      if (d.clearance.qrPayload)
        drawQr(doc, d.clearance.qrPayload, { x: MARGIN + width - qrSize, y, size: qrSize });
      doc.y = Math.max(doc.y, y + qrSize);
    }

    if (input.template?.footerNote) {
      doc.moveDown();
      put(input.template.footerNote, MARGIN, doc.y, { width, ...font(8, false, '#444444') });
    }
    doc.end();
  });
}
