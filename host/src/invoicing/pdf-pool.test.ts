import { afterAll, describe, expect, it } from 'vitest';
import { renderInvoicePdf, type InvoicePdfInput } from './pdf.ts';
import { PdfRenderPool } from './pdf-pool.ts';

const input = (number: string, name: string): InvoicePdfInput => ({
  document: {
    type: 'invoice',
    number,
    issueDate: '2026-11-21',
    saleDate: '2026-11-20',
    language: 'bg',
    currency: 'BGN',
    seller: { name: 'Магазин ЕООД', taxId: 'BG123456789', address: { city: 'Пловдив' } },
    buyer: { name: 'Иван Петров', address: { street: 'ул. Витоша 1', city: 'София', country: 'BG' } },
    lines: [
      {
        name,
        quantity: '1.000',
        unitNet: '10.0000',
        vatRate: '20',
        net: '10.00',
        vat: '2.00',
        gross: '12.00',
      },
    ],
    totals: { net: '10.00', vat: '2.00', gross: '12.00' },
    externalOrderId: '3000000001',
  },
});

describe('PdfRenderPool', () => {
  const pool = new PdfRenderPool({ threads: 2 });
  afterAll(() => pool.close());

  it('renders on worker threads the same bytes as on the calling thread', async () => {
    const jobs = Array.from({ length: 6 }, (_, i) => input(`INV/${i}`, `Продукт ${i} — ăîșț`));
    const [threaded, local] = await Promise.all([
      Promise.all(jobs.map((j) => pool.render(j))),
      Promise.all(jobs.map((j) => renderInvoicePdf(j))),
    ]);
    threaded.forEach((pdf, i) => {
      expect(Buffer.isBuffer(pdf)).toBe(true);
      expect(Buffer.compare(pdf, local[i]!)).toBe(0);
    });
  });

  it('warms every thread up with a sample', async () => {
    const fresh = new PdfRenderPool({ threads: 2 });
    await fresh.warmUp(input('WARM/1', 'warm'));
    const pdf = await fresh.render(input('INV/W', 'after warm-up'));
    expect(Buffer.compare(pdf, await renderInvoicePdf(input('INV/W', 'after warm-up')))).toBe(0);
    await fresh.close();
  });

  it('reports a render that failed in a thread, and keeps serving', async () => {
    const broken = {
      document: { ...input('INV/X', 'x').document, lines: undefined },
    } as unknown as InvoicePdfInput;
    await expect(pool.render(broken)).rejects.toThrow(/Cannot read properties of undefined/);
    const pdf = await pool.render(input('INV/OK', 'ok'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('refuses input that cannot reach a thread', async () => {
    const odd = { document: { ...input('INV/F', 'f').document, seller: { name: 'x', address: () => 1 } } };
    await expect(pool.render(odd as unknown as InvoicePdfInput)).rejects.toThrow(/could not be cloned/);
  });

  it('renders on the calling thread with no threads, and refuses work once closed', async () => {
    const inline = new PdfRenderPool({ threads: 0 });
    expect(inline.threads).toBe(0);
    const pdf = await inline.render(input('INV/I', 'i'));
    expect(Buffer.compare(pdf, await renderInvoicePdf(input('INV/I', 'i')))).toBe(0);
    await inline.close();
    await expect(inline.render(input('INV/I', 'i'))).rejects.toThrow(/closed/);
  });
});
