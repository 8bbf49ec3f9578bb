import PDFDocument, { shareFontLayouts } from './pdfkit.ts';
import type { RenderableInvoice } from './pdf-document.ts';
import { labelsFor } from './pdf-labels.ts';
import { type PdfFonts, pdfFonts } from './pdf-layout.ts';
import { MARGIN, createCanvas } from './pdf-canvas.ts';
import {
  drawClearance,
  drawExchangeRate,
  drawFooterNote,
  drawHeader,
  drawLines,
  drawMentions,
  drawMeta,
  drawParties,
  drawPayment,
  drawVatSummary,
} from './pdf-sections.ts';

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
  const { document: d, template } = input;
  const fonts = pdfFonts();
  const labels = labelsFor(d.language, d.secondLanguage);
  const title = `${labels.both((l) => (d.type === 'correction' ? l.correction : l.invoice))} ${d.number}`;

  return new Promise((resolve, reject) => {
    const drawn: string[] = [];
    const doc = openDocument({
      document: d,
      title,
      fonts,
      compress: input.compress ?? true,
      done: (pdf) => resolve({ pdf, text: drawn }),
      fail: reject,
    });
    const modern = (template?.layout ?? 'classic') === 'modern';
    const canvas = createCanvas({ doc, invoice: d, modern, fonts, labels, drawn });
    drawHeader(canvas, { title, logo: template?.logo });
    drawMeta(canvas);
    drawParties(canvas);
    drawLines(canvas);
    const summary = drawVatSummary(canvas);
    drawExchangeRate(canvas, summary);
    drawMentions(canvas);
    drawPayment(canvas);
    drawClearance(canvas);
    drawFooterNote(canvas, template?.footerNote);
    doc.end();
  });
}

/**
 * Opens an A4 document with the invoice's fonts registered; `done` gets the finished file, `fail`
 * why there is none (pdfkit's error, or a file larger than marketplaces accept).
 */
function openDocument(options: {
  document: RenderableInvoice;
  title: string;
  fonts: PdfFonts;
  compress: boolean;
  done: (pdf: Buffer) => void;
  fail: (error: Error) => void;
}): PDFKit.PDFDocument {
  const { document: d, fonts, fail } = options;
  const doc = new PDFDocument({
    size: 'A4',
    // No default font: pdfkit would parse Helvetica's metrics for every document, unused here.
    font: null as unknown as string,
    margin: MARGIN,
    compress: options.compress,
    lang: d.language,
    displayTitle: true,
    info: {
      Title: options.title,
      Producer: 'marketplace-connector-host',
      Creator: 'marketplace-connector-host',
      CreationDate: new Date(`${d.issueDate}T00:00:00Z`),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  doc.on('end', () => {
    const pdf = Buffer.concat(chunks);
    if (pdf.length > MAX_PDF_BYTES)
      fail(new Error(`invoice PDF is ${pdf.length} bytes, over the 3 MB marketplaces accept`));
    else options.done(pdf);
  });
  doc.on('error', fail);
  doc.registerFont('regular', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  shareFontLayouts(doc, fonts.builtIn ? [] : ['regular']);
  return doc;
}
