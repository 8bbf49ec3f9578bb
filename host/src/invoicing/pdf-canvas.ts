import type { RenderableInvoice } from './pdf-document.ts';
import type { InvoiceLabels } from './pdf-labels.ts';
import { type PdfFonts, printable } from './pdf-layout.ts';

export const MARGIN = 40;
export const ACCENT = '#1f4e79';
/** Widths of the lines table's columns; they add up to the 515 pt of A4 between margins. */
const WIDTHS = [20, 158, 36, 30, 56, 36, 58, 56, 65] as const;
const RIGHT = [false, false, true, false, true, true, true, true, true] as const;

/**
 * The drawing surface an invoice's sections share: the open pdfkit document, its fonts and labels,
 * and the record of every string drawn (the text layer the PDF must hold).
 */
export interface InvoiceCanvas {
  doc: PDFKit.PDFDocument;
  invoice: RenderableInvoice;
  /** The `modern` layout: accent-coloured title band, party boxes and rules. */
  modern: boolean;
  /** Width between the margins. */
  width: number;
  /** The labels of the document's language. */
  L: InvoiceLabels;
  /** A label in the document's language, and in its second language when there is one. */
  both: (pick: (l: InvoiceLabels) => string) => string;
  /** Text as the fonts can print it. */
  printable: (value: string) => string;
  /** Selects the font at `size`, bold or not; returns the text options that draw it. */
  font: (size: number, bold?: boolean, color?: string) => PDFKit.Mixins.TextOptions;
  /** Draws text and records it as the text layer must hold it. */
  put: (text: string, x?: number, y?: number, options?: PDFKit.Mixins.TextOptions) => void;
  /** Every string drawn, in drawing order. */
  drawn: string[];
}

export function createCanvas(options: {
  doc: PDFKit.PDFDocument;
  invoice: RenderableInvoice;
  modern: boolean;
  fonts: PdfFonts;
  labels: { primary: InvoiceLabels; both: InvoiceCanvas['both'] };
  /** Receives every string drawn. */
  drawn: string[];
}): InvoiceCanvas {
  const { doc, fonts, drawn } = options;
  const t = (value: string) => printable(value, fonts);
  /*
   * An embedded font file costs a subset per document (~20% of a render and a third of the
   * file): embedded, bold is the regular outlines filled and stroked; pdfkit's built-in fonts
   * have a real bold.
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
  const put = (text: string, x?: number, y?: number, textOptions: PDFKit.Mixins.TextOptions = {}) => {
    const printed = t(text);
    if (!printed) return;
    drawn.push(printed);
    if (x === undefined) doc.text(printed, textOptions);
    else doc.text(printed, x, y, textOptions);
  };
  return {
    doc,
    invoice: options.invoice,
    modern: options.modern,
    width: doc.page.width - 2 * MARGIN,
    L: options.labels.primary,
    both: options.labels.both,
    printable: t,
    font,
    put,
    drawn,
  };
}

/** Draws one row of the lines table (a new page when it does not fit) and rules it off. */
export function drawRow(canvas: InvoiceCanvas, row: { cells: string[]; bold?: boolean; shaded?: boolean }) {
  const { doc, width, font } = canvas;
  const { cells, bold = false, shaded = false } = row;
  font(8, bold);
  // Most cells are one short line: measured by width, set without the line wrapper (the bulk
  // of a render otherwise); a cell too wide for its column wraps.
  const lineHeight = doc.currentLineHeight(true);
  const texts = cells.map((c, i) => {
    const text = canvas.printable(c);
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
      canvas.drawn.push(cell.text);
      if (cell.fits) {
        const left = RIGHT[i] ? x + cell.room - cell.textWidth : x;
        doc.text(cell.text, left, y, { lineBreak: false, ...style });
      } else doc.text(cell.text, x, y, { width: cell.room, align: RIGHT[i] ? 'right' : 'left', ...style });
    }
    x += w;
  });
  doc.y = y + height + 3;
  doc
    .moveTo(MARGIN, doc.y - 1.5)
    .lineTo(MARGIN + width, doc.y - 1.5)
    .lineWidth(0.3)
    .strokeColor(canvas.modern ? ACCENT : '#999999')
    .stroke();
}
