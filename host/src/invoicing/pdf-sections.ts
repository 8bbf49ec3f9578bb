import { Decimal, totalsByRate } from './money.ts';
import type { RenderableInvoice, RenderableVatRow } from './pdf-document.ts';
import type { InvoiceLabels } from './pdf-labels.ts';
import { CORRECTION_LABELS } from './correction-labels.ts';
import { addressLines } from './pdf-layout.ts';
import { drawQr } from './pdf-qr.ts';
import { ACCENT, type InvoiceCanvas, MARGIN, drawRow } from './pdf-canvas.ts';

// The sections of an invoice PDF, each drawn below the one before; `renderInvoice` calls them in order.

const LOGO_BOX = { w: 150, h: 60 };

const trimQuantity = (q: string) => (q.includes('.') ? q.replace(/\.?0+$/, '') : q);
const rateText = (r: string) => trimQuantity(r);

/** The logo opposite the title; `modern` sets the title in a band of the accent colour. */
export function drawHeader(
  canvas: InvoiceCanvas,
  header: { title: string; logo: Uint8Array | null | undefined },
) {
  const { doc, width, put, font } = canvas;
  const { title, logo } = header;
  if (logo) {
    const x = canvas.modern ? MARGIN : MARGIN + width - LOGO_BOX.w;
    const align = canvas.modern ? {} : { align: 'right' as const };
    doc.image(Buffer.from(logo), x, MARGIN, { fit: [LOGO_BOX.w, LOGO_BOX.h], ...align });
  }
  if (canvas.modern) {
    const bandTop = logo ? MARGIN + LOGO_BOX.h + 8 : MARGIN;
    doc.rect(MARGIN, bandTop, width, 30).fill(ACCENT);
    put(title, MARGIN + 8, bandTop + 7, { width: width - 16, align: 'right', ...font(16, true, 'white') });
    doc.x = MARGIN;
    doc.y = bandTop + 38;
  } else {
    const titleWidth = logo ? width - LOGO_BOX.w - 10 : width;
    put(title, MARGIN, MARGIN, { width: titleWidth, ...font(18, true) });
    if (logo) doc.y = Math.max(doc.y, MARGIN + LOGO_BOX.h);
  }
}

/** Dates, currency, the order number, what a correction corrects, and a cancelled document's mark. */
export function drawMeta(canvas: InvoiceCanvas) {
  const { doc, invoice: d, width, put, font, both } = canvas;
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
}

/** Seller and buyer side by side (boxed in the `modern` layout). */
export function drawParties(canvas: InvoiceCanvas) {
  const { doc, invoice: d, width, put, font, both } = canvas;
  const top = doc.y;
  const half = width / 2 - 10;
  const party = (label: string, x: number, rows: string[]) => {
    put(label, x, top, { width: half, ...font(10, true, canvas.modern ? ACCENT : 'black') });
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
  if (canvas.modern) {
    doc.lineWidth(0.5).strokeColor(ACCENT);
    doc.rect(MARGIN - 4, top - 4, half + 8, partiesBottom - top + 8).stroke();
    doc.rect(MARGIN + half + 16, top - 4, half + 8, partiesBottom - top + 8).stroke();
  }
  doc.x = MARGIN;
  doc.y = partiesBottom + 16;
}

/** The lines table: its header row, then every line with its unit and VAT rate. */
export function drawLines(canvas: InvoiceCanvas) {
  const { invoice: d, L, both } = canvas;
  const c = (pick: (cols: InvoiceLabels['columns']) => string) => both((l) => pick(l.columns));
  const header = [
    c((x) => x.position),
    c((x) => x.name),
    c((x) => x.quantity),
    c((x) => x.unit),
    c((x) => x.unitNet),
    c((x) => x.vatRate),
    c((x) => x.net),
    c((x) => x.vat),
    c((x) => x.gross),
  ];
  drawRow(canvas, { cells: header, bold: true, shaded: canvas.modern });
  d.lines.forEach((line, i) =>
    drawRow(canvas, {
      cells: [
        String(i + 1),
        line.name,
        trimQuantity(line.quantity),
        line.unit || L.piece,
        line.unitNet,
        rateText(line.vatRate),
        line.net,
        line.vat,
        line.gross,
      ],
    }),
  );
}

/** The VAT summary per rate, then the totals (as the document states them); returns the summary. */
export function drawVatSummary(canvas: InvoiceCanvas): readonly RenderableVatRow[] {
  const { doc, invoice: d, both } = canvas;
  doc.moveDown();
  const summary: readonly RenderableVatRow[] = d.vatSummary ?? totalsByRate(d.lines);
  const header = ['', both((l) => l.vatSummary), '', '', '', both((l) => l.rate), '', '', ''];
  drawRow(canvas, { cells: header, bold: true, shaded: canvas.modern });
  for (const r of summary)
    drawRow(canvas, { cells: ['', '', '', '', '', rateText(r.vatRate), r.net, r.vat, r.gross] });
  const { net, vat, gross } = d.totals;
  const total = `${both((l) => l.total)} (${d.currency})`;
  drawRow(canvas, { cells: ['', total, '', '', '', '', net, vat, gross], bold: true });
  return summary;
}

/** The exchange rate, its source, table and date, and the VAT in the national currency. */
export function drawExchangeRate(canvas: InvoiceCanvas, summary: readonly RenderableVatRow[]) {
  const { doc, invoice: d, width, L, put, font } = canvas;
  if (!d.exchangeRate) return;
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

/** Legal mentions: reverse charge, OSS (in each language of the document). */
export function drawMentions(canvas: InvoiceCanvas) {
  const { doc, invoice: d, width, put, font, both } = canvas;
  if (!d.mentions?.length) return;
  doc.moveDown(0.5);
  for (const mention of d.mentions) {
    const say = (l: InvoiceLabels) =>
      mention === 'reverse_charge' ? l.reverseCharge : l.oss(d.taxCountry ?? '');
    put(both(say), MARGIN, doc.y, { width, ...font(9, true) });
  }
}

/** Payment method, due date, bank account and payment, then the amount due. */
export function drawPayment(canvas: InvoiceCanvas) {
  const { doc, invoice: d, width, L, put, font, both } = canvas;
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
    ...font(12, true, canvas.modern ? ACCENT : 'black'),
  });
}

/**
 * The reserved area of the tax authority's clearance: its number on the left, the verification QR
 * codes side by side on the right, each with its label under it (KSeF: the number or "OFFLINE"
 * under code I, "CERTYFIKAT" under code II of a document issued offline).
 */
export function drawClearance(canvas: InvoiceCanvas) {
  const { doc, invoice: d, width, put, font, both } = canvas;
  if (!d.clearance) return;
  const codes = [
    ...(d.clearance.qrPayload
      ? [{ payload: d.clearance.qrPayload, label: d.clearance.qrLabel ?? null }]
      : []),
    ...(d.clearance.codes ?? []),
  ];
  const qrSize = codes.length > 0 ? 90 : 0;
  const gap = 10;
  const labelled = codes.some((c) => c.label);
  const height = qrSize + (labelled ? 12 : 0);
  if (doc.y + Math.max(height, 30) + 20 > doc.page.height - MARGIN) doc.addPage();
  doc.moveDown();
  const y = doc.y;
  const codesWidth = codes.length * qrSize + Math.max(0, codes.length - 1) * gap;
  if (d.clearance.number)
    put(`${both((l) => l.clearanceNumber)}: ${d.clearance.number}`, MARGIN, y, {
      width: width - codesWidth - gap,
      ...font(9, true),
    });
  codes.forEach((code, i) => {
    const x = MARGIN + width - codesWidth + i * (qrSize + gap);
    drawQr(doc, code.payload, { x, y, size: qrSize });
    if (code.label)
      put(code.label, x - gap / 2, y + qrSize + 2, { width: qrSize + gap, align: 'center', ...font(7) });
  });
  doc.y = Math.max(doc.y, y + height);
}

/** The template's note at the foot of the last page. */
export function drawFooterNote(canvas: InvoiceCanvas, note: string | null | undefined) {
  if (!note) return;
  canvas.doc.moveDown();
  canvas.put(note, MARGIN, canvas.doc.y, { width: canvas.width, ...canvas.font(8, false, '#444444') });
}
