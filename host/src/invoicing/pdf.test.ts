import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { computeLine } from './money.ts';
import { MAX_PDF_BYTES, renderInvoice, renderInvoicePdf, type RenderTemplate } from './pdf.ts';
import type { DocumentLanguage, RenderableInvoice, RenderableLine } from './pdf-document.ts';
import { pdfFonts, printable } from './pdf-layout.ts';
import { fontCacheInstalled } from './pdfkit.ts';

function lines(count: number, name = (i: number) => `Łódka żółta nr ${i + 1}`): RenderableLine[] {
  return Array.from({ length: count }, (_, i) => {
    const a = computeLine({
      quantity: 1 + (i % 3),
      unitPrice: '33.33',
      vatRate: i % 2 ? 8 : 23,
      mode: 'gross',
    });
    return {
      name: name(i),
      quantity: a.quantity,
      unit: i % 2 ? 'kg' : null,
      unitNet: a.unitNet,
      vatRate: a.vatRate,
      net: a.net,
      vat: a.vat,
      gross: a.gross,
    };
  });
}

const base: RenderableInvoice = {
  type: 'invoice',
  number: 'FV/2026/7',
  series: 'FV',
  status: 'issued',
  issueDate: '2026-11-21',
  saleDate: '2026-11-20',
  language: 'pl',
  currency: 'PLN',
  seller: {
    name: 'Sklep Testowy sp. z o.o.',
    taxId: '5250001009',
    address: { street: 'Prosta 2', postalCode: '00-850', city: 'Warszawa', country: 'PL' },
  },
  buyer: {
    name: 'Kowalski sp. z o.o.',
    contactName: 'Jan Kowalski',
    taxId: 'PL5250000010',
    address: { street: 'Marszałkowska 1', postalCode: '00-001', city: 'Warszawa', country: 'PL' },
  },
  lines: lines(3),
  totals: { net: '81.29', vat: '18.70', gross: '99.99' },
  payment: { method: 'transfer', dueDate: '2026-12-05' },
  bankAccount: 'PL61 1090 1014 0000 0712 1981 2874',
  externalOrderId: 'c7e1-order',
};

/** One document per language, with that language's letters in every party and line. */
const samples: Record<Exclude<DocumentLanguage, 'en'>, RenderableInvoice> = {
  pl: {
    ...base,
    buyer: { ...base.buyer, name: 'Zażółć gęślą jaźń ĄĆĘŁŃÓŚŹŻ sp. z o.o.' },
    lines: lines(2, (i) => `Wiertarka źródłowa ${i} — ąćęłńóśźż`),
  },
  ro: {
    ...base,
    number: 'RO-F/2026/12',
    language: 'ro',
    currency: 'EUR',
    seller: {
      name: 'Știință și Țară SRL',
      taxId: 'RO18547290',
      address: { city: 'București', county: 'RO-B' },
    },
    buyer: { name: 'Ștefan Țărână', address: { street: 'Strada Mărășești 5', city: 'Iași', country: 'RO' } },
    lines: lines(2, (i) => `Mașină de spălat ${i} ăâîșț ĂÂÎȘȚ`),
    exchangeRate: { rate: '5.0812', source: 'BNR', table: null, date: '2026-11-20', nationalCurrency: 'RON' },
    payment: { method: 'cod' },
  },
  hu: {
    ...base,
    number: 'SZ/2026/3',
    language: 'hu',
    currency: 'HUF',
    seller: { name: 'Győri Kereskedő Kft.', taxId: '12345676-2-08', address: { city: 'Győr' } },
    buyer: { name: 'Kovács Előd', address: { city: 'Székesfehérvár' } },
    lines: lines(2, (i) => `Hűtőszekrény ${i} őű ŐŰ áéíóöúü`),
  },
  bg: {
    ...base,
    number: 'Ф/2026/9',
    language: 'bg',
    secondLanguage: 'en',
    currency: 'EUR',
    seller: { name: 'Магазин Съединение ЕООД', taxId: 'BG175074752', address: { city: 'Пловдив' } },
    buyer: { name: 'Иван Петров', address: { street: 'ул. Витоша 1', city: 'София', country: 'BG' } },
    lines: lines(2, (i) => `Щастливо изключение ${i} — ЖЮЯ ъьщ`),
    clearance: { number: 'BG-2026-000123' },
  },
};

const pageCount = (pdf: Buffer) => pdf.toString('latin1').match(/\/Type \/Page\b/g)?.length ?? 0;
const squeeze = (s: string) => s.replace(/\s+/g, '');

/** The PDF's text layer as poppler's `pdftotext` reads it, in content-stream order. */
async function pdftotext(pdf: Buffer): Promise<string> {
  const child = spawn('pdftotext', ['-raw', '-enc', 'UTF-8', '-', '-']);
  const out: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`pdftotext exited ${code}`))));
  });
  child.stdin.end(pdf);
  await done;
  return Buffer.concat(out).toString('utf8');
}

describe('renderInvoice', () => {
  // First in the file: the font is parsed once per process, and no "z" may be laid out before.
  it('keeps every letter after another document used its composite glyphs ("ż" then "z")', async () => {
    const en = { ...base, language: 'en' as const, externalOrderId: null, payment: null, bankAccount: null };
    await renderInvoice({
      document: { ...en, seller: { name: 'Żółw' }, buyer: { name: 'żźŻŹ' }, lines: [] },
    });
    const { pdf } = await renderInvoice({
      document: { ...en, seller: { name: 'Zoo' }, buyer: { name: 'Warszawa zza Zagórza' }, lines: [] },
    });
    const text = await pdftotext(pdf);
    expect(text).toContain('Warszawa zza Zagórza');
    expect(text).toContain('Zoo');
  });

  it.each(Object.entries(samples))(
    'writes every character of a %s document into the text layer',
    async (language, document) => {
      const { pdf, text } = await renderInvoice({ document });
      const extracted = await pdftotext(pdf);
      expect(squeeze(extracted)).toBe(squeeze(text.join('')));
      // The document's own words are there, not just what the renderer says it drew.
      expect(extracted).toContain(document.buyer.name);
      for (const line of document.lines) expect(squeeze(extracted)).toContain(squeeze(line.name));
      const title = { pl: 'Faktura VAT', ro: 'Factură', hu: 'Számla', bg: 'Фактура / Invoice' }[language]!;
      expect(extracted).toContain(`${title} ${document.number}`);
    },
  );

  it('prints units, the VAT summary per rate, payment, bank account and order number', async () => {
    const { text } = await renderInvoice({ document: samples.pl });
    const all = text.join('\n');
    expect(text).toContain('szt.'); // a line without a unit
    expect(text).toContain('kg');
    expect(all).toContain('Podsumowanie VAT');
    expect(text.filter((t) => t === '23' || t === '8')).toHaveLength(2 + 2); // lines + summary rows
    expect(all).toContain('Sposób płatności: przelew');
    expect(all).toContain('Termin płatności: 2026-12-05');
    expect(all).toContain('Nr konta: PL61 1090 1014 0000 0712 1981 2874');
    expect(all).toContain('Nr zamówienia: c7e1-order');
    expect(all).toContain('Do zapłaty: 99.99 PLN');
  });

  it('states the exchange rate and the VAT in the national currency', async () => {
    const { text } = await renderInvoice({ document: samples.ro });
    const vat = samples.ro.lines.map((l) => l.vat);
    expect(text).toContain('Curs EUR/RON: 5.0812 (BNR din 2026-11-20)');
    const national = vat.reduce((s, v) => s + Math.round(Number(v) * 5.0812 * 100), 0) / 100;
    expect(text).toContain(`TVA în RON: ${national.toFixed(2)} RON`);
    const pl = await renderInvoice({
      document: {
        ...samples.pl,
        currency: 'EUR',
        exchangeRate: {
          rate: '4.2575',
          source: 'NBP',
          table: '226/A/NBP/2026',
          date: '2026-11-20',
          nationalCurrency: 'PLN',
          vatNational: '79.62',
        },
      },
    });
    expect(pl.text).toContain('Kurs EUR/PLN: 4.2575 (NBP, tabela 226/A/NBP/2026 z dnia 2026-11-20)');
    expect(pl.text).toContain('Kwota VAT w PLN: 79.62 PLN');
  });

  it('labels in two languages when a second is asked for', async () => {
    const { text } = await renderInvoice({ document: { ...samples.ro, secondLanguage: 'en' } });
    expect(text[0]).toBe('Factură / Invoice RO-F/2026/12');
    expect(text).toContain('Furnizor / Seller');
  });

  it('prints the clearance number, and its QR code when there is a payload', async () => {
    const plain = await renderInvoice({ document: samples.bg, compress: false });
    expect(plain.text).toContain('Идентификатор / Clearance number: BG-2026-000123');
    const withQr = await renderInvoice({
      document: {
        ...samples.bg,
        clearance: { number: 'BG-2026-000123', qrPayload: 'https://example.test/v/ąż?x=1' },
      },
      compress: false,
    });
    const rects = (pdf: Buffer) => pdf.toString('latin1').match(/ re\n/g)?.length ?? 0;
    expect(rects(withQr.pdf) - rects(plain.pdf)).toBeGreaterThan(100);
  });

  it('prints every verification code with its label under it, and no number line while there is none', async () => {
    const plain = await renderInvoice({ document: samples.bg, compress: false });
    const offline = await renderInvoice({
      document: {
        ...samples.bg,
        clearance: {
          number: null,
          qrPayload: 'https://example.test/invoice/1',
          qrLabel: 'OFFLINE',
          codes: [{ payload: 'https://example.test/certificate/2', label: 'CERTYFIKAT' }],
        },
      },
      compress: false,
    });
    expect(offline.text).toEqual(expect.arrayContaining(['OFFLINE', 'CERTYFIKAT']));
    expect(offline.text.join(' ')).not.toContain('Clearance number');
    const extracted = await pdftotext(offline.pdf);
    expect(extracted).toContain('OFFLINE');
    expect(extracted).toContain('CERTYFIKAT');
    const rects = (pdf: Buffer) => pdf.toString('latin1').match(/ re\n/g)?.length ?? 0;
    const one = await renderInvoice({
      document: {
        ...samples.bg,
        clearance: { number: null, qrPayload: 'https://example.test/invoice/1', qrLabel: 'OFFLINE' },
      },
      compress: false,
    });
    // Two codes drawn: each adds its own modules.
    expect(rects(one.pdf) - rects(plain.pdf)).toBeGreaterThan(100);
    expect(rects(offline.pdf) - rects(one.pdf)).toBeGreaterThan(100);
  });

  it('renders a one-page PDF of a short invoice, well under the upload limit', async () => {
    const pdf = await renderInvoicePdf({ document: samples.pl, compress: false });
    expect(pdf.toString('latin1').startsWith('%PDF-')).toBe(true);
    expect(pageCount(pdf)).toBe(1);
    expect(pdf.length).toBeLessThan(MAX_PDF_BYTES);
  });

  it('is byte-identical on repeated renders, in every layout, and one document does not leak into the next', async () => {
    expect(fontCacheInstalled).toBe(true);
    const logo = await tinyPng();
    const templates: (RenderTemplate | undefined)[] = [
      undefined,
      { layout: 'classic', footerNote: 'Sąd Rejonowy dla m.st. Warszawy, KRS 0000123456' },
      { layout: 'modern', logo, footerNote: 'Mulțumim!' },
    ];
    for (const template of templates) {
      const a = await renderInvoicePdf({ document: samples.pl, template });
      await renderInvoicePdf({ document: samples.bg, template });
      const b = await renderInvoicePdf({ document: samples.pl, template });
      expect(Buffer.compare(a, b)).toBe(0);
    }
    const classic = await renderInvoicePdf({ document: samples.pl, template: templates[1] });
    const modern = await renderInvoicePdf({ document: samples.pl, template: templates[2] });
    expect(Buffer.compare(classic, modern)).not.toBe(0);
  });

  it.each(Object.entries(samples))(
    'prints the reverse-charge and OSS mentions of a %s document in its text layer',
    async (language, sample) => {
      const document: RenderableInvoice = {
        ...sample,
        mentions: ['reverse_charge', 'oss'],
        taxCountry: 'CZ',
      };
      const { pdf, text } = await renderInvoice({ document });
      const extracted = await pdftotext(pdf);
      expect(squeeze(extracted)).toBe(squeeze(text.join('')));
      const words = {
        pl: ['Odwrotne obciążenie', 'Procedura OSS', '(CZ)'],
        ro: ['Taxare inversă', 'Regim OSS', '(CZ)'],
        hu: ['Fordított adózás', 'OSS eljárás', '(CZ)'],
        bg: ['Обратно начисляване', 'Reverse charge', 'Режим OSS', '(CZ)'],
      }[language]!;
      for (const word of words) expect(squeeze(extracted)).toContain(squeeze(word));
      // Without mentions nothing of them is printed.
      const plain = await pdftotext((await renderInvoice({ document: sample })).pdf);
      expect(plain).not.toContain(words[0]);
    },
  );

  it('prints the template footer note', async () => {
    const { pdf, text } = await renderInvoice({
      document: samples.hu,
      template: { layout: 'modern', footerNote: 'Köszönjük a vásárlást! őű' },
    });
    expect(text.at(-1)).toBe('Köszönjük a vásárlást! őű');
    expect(await pdftotext(pdf)).toContain('Köszönjük a vásárlást! őű');
  });

  it('breaks long invoices over pages and stays well under the 3 MB upload limit', async () => {
    const pdf = await renderInvoicePdf({ document: { ...samples.pl, lines: lines(200) } });
    expect(pageCount(pdf)).toBeGreaterThan(3);
    expect(pdf.length).toBeLessThan(MAX_PDF_BYTES / 10);
  });
});

/** A 2×2 PNG made by pdfkit's own reader's counterpart: zlib over filtered scanlines. */
async function tinyPng(): Promise<Buffer> {
  const { deflateSync, crc32 } = await import('node:zlib');
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(2, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows = Buffer.from([0, 255, 0, 0, 0, 0, 255, 0, 0, 255, 0, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('the embedded font', () => {
  it('has a glyph for every letter of the four languages', async () => {
    const fonts = pdfFonts();
    expect(fonts.builtIn).toBe(false);
    const { createRequire } = await import('node:module');
    const fromPdfkit = createRequire(createRequire(import.meta.url).resolve('pdfkit'));
    const fontkit = fromPdfkit('fontkit') as {
      create(b: Buffer): { hasGlyphForCodePoint(c: number): boolean };
    };
    const font = fontkit.create(fonts.regular as Buffer);
    const letters =
      'ąćęłńóśźżĄĆĘŁŃÓŚŹŻăâîșțĂÂÎȘȚşţőűŐŰáéíóöúüАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЬЮЯабвгдежзийклмнопрстуфхцчшщъьюя№';
    expect([...letters].filter((c) => !font.hasGlyphForCodePoint(c.codePointAt(0)!))).toEqual([]);
  });
});

describe('printable', () => {
  it('transliterates what the built-in fonts cannot print', () => {
    const builtIn = { regular: 'Helvetica', bold: 'Helvetica-Bold', builtIn: true };
    expect(printable('Łódź, Știință, Győr', builtIn)).toBe('Lódz, Stiinta, Gyor');
    expect(printable('Łódź', { ...builtIn, builtIn: false })).toBe('Łódź');
  });
});
