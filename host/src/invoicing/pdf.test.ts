import { describe, expect, it } from 'vitest';
import { computeLine } from './money.ts';
import { MAX_PDF_BYTES, type PdfLine, renderInvoicePdf } from './pdf.ts';
import { printable } from './pdf-layout.ts';
import { fontCacheInstalled } from './pdfkit.ts';

function lines(count: number): PdfLine[] {
  return Array.from({ length: count }, (_, i) => {
    const a = computeLine({
      quantity: 1 + (i % 3),
      unitPrice: '33.33',
      vatRate: i % 2 ? 8 : 23,
      mode: 'gross',
    });
    return {
      position: i + 1,
      name: `Łódka żółta nr ${i + 1}`,
      quantity: a.quantity,
      unitNet: a.unitNet,
      vatRate: a.vatRate,
      netAmount: a.net,
      vatAmount: a.vat,
      grossAmount: a.gross,
    };
  });
}

const invoice = {
  number: 'FV/2026/7',
  issueDate: '2026-11-21',
  saleDate: '2026-11-20',
  currency: 'PLN',
  netTotal: '81.29',
  vatTotal: '18.70',
  grossTotal: '99.99',
  status: 'paid' as const,
  paidAt: new Date('2026-11-20T10:05:00Z'),
  externalOrderId: 'c7e1-order',
  buyer: {
    name: 'Jan Kowalski',
    companyName: 'Kowalski sp. z o.o.',
    taxId: 'PL5250000010',
    address: { street: 'Marszałkowska 1', postalCode: '00-001', city: 'Warszawa', countryCode: 'PL' },
  },
};
const company = {
  name: 'Sklep Testowy sp. z o.o.',
  taxId: 'PL5250001009',
  address: { street: 'Prosta 2', city: 'Kraków' },
  registrationNumber: null,
};

const pageCount = (pdf: Buffer) => pdf.toString('latin1').match(/\/Type \/Page\b/g)?.length ?? 0;

describe('renderInvoicePdf', () => {
  it('renders a one-page PDF titled with the invoice number', async () => {
    const pdf = await renderInvoicePdf({ invoice, lines: lines(3), company, compress: false });
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-')).toBe(true);
    expect(text).toContain('Invoice FV/2026/7');
    expect(pageCount(pdf)).toBe(1);
    expect(pdf.length).toBeGreaterThan(1000);
    expect(pdf.length).toBeLessThan(MAX_PDF_BYTES);
  });

  it('is deterministic for the same invoice', async () => {
    const a = await renderInvoicePdf({ invoice, lines: lines(3), company });
    const b = await renderInvoicePdf({ invoice, lines: lines(3), company });
    expect(Buffer.compare(a, b)).toBe(0);
  });

  it('parses each font once per process, and one document does not leak glyphs into the next', async () => {
    expect(fontCacheInstalled).toBe(true);
    const first = await renderInvoicePdf({ invoice, lines: lines(3), company });
    const other = await renderInvoicePdf({
      invoice: { ...invoice, number: 'ФАКТУРА/1', currency: 'BGN' },
      lines: lines(2).map((l) => ({ ...l, name: 'Щастливо изключение — Győr' })),
      company,
    });
    expect(Buffer.compare(first, other)).not.toBe(0);
    const again = await renderInvoicePdf({ invoice, lines: lines(3), company });
    expect(Buffer.compare(first, again)).toBe(0);
  });

  it('breaks long invoices over pages and stays well under the 3 MB upload limit', async () => {
    const pdf = await renderInvoicePdf({ invoice, lines: lines(200), company });
    expect(pageCount(pdf)).toBeGreaterThan(3);
    expect(pdf.length).toBeLessThan(MAX_PDF_BYTES / 10);
  });

  it('takes an explicit buyer over the invoice snapshot', async () => {
    const pdf = await renderInvoicePdf({
      invoice,
      lines: lines(1),
      company,
      buyer: { name: 'Other Buyer', taxId: 'RO123' },
      compress: false,
    });
    expect(pdf.toString('latin1').startsWith('%PDF-')).toBe(true);
  });
});

describe('printable', () => {
  it('transliterates what the built-in fonts cannot print', () => {
    const builtIn = { regular: 'Helvetica', bold: 'Helvetica-Bold', builtIn: true };
    expect(printable('Łódź, Știință, Győr', builtIn)).toBe('Lódz, Stiinta, Gyor');
    expect(printable('Łódź', { ...builtIn, builtIn: false })).toBe('Łódź');
  });
});
