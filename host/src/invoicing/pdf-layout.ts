import { existsSync, readFileSync } from 'node:fs';

/**
 * Fonts and text helpers for invoice PDFs. Buyer and product names are Polish, Romanian,
 * Bulgarian or Hungarian: a system TrueType font with those letters is embedded (pdfkit subsets
 * it, so a PDF stays a few tens of KB); without one, pdfkit's Helvetica (WinAnsi only) prints
 * a transliteration instead of garbage.
 */

// Liberation Sans first: Latin and Cyrillic in 140 KB, parsed ~4x faster per PDF than DejaVu (750 KB).
const REGULAR = [
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf',
  'C:\\Windows\\Fonts\\arial.ttf',
];

export interface PdfFonts {
  /** A built-in font name, or the font file's bytes (read once per process). */
  regular: string | Buffer;
  /**
   * Built-in fonts only: the bold face. With a font file, bold is drawn from the regular outlines
   * (one embedded font per document: a second costs ~20% of a render and a third of the file).
   */
  bold: string | Buffer;
  /** True for pdfkit's built-in fonts: text must be transliterated to WinAnsi. */
  builtIn: boolean;
}

let resolved: PdfFonts | undefined;

/** The font to use; `INVOICE_PDF_FONT` (a TrueType file) overrides the search. */
export function pdfFonts(): PdfFonts {
  if (resolved) return resolved;
  const env = process.env.INVOICE_PDF_FONT;
  const regular = env && existsSync(env) ? env : REGULAR.find((p) => existsSync(p));
  if (regular) {
    const bytes = readFileSync(regular);
    resolved = { regular: bytes, bold: bytes, builtIn: false };
  } else resolved = { regular: 'Helvetica', bold: 'Helvetica-Bold', builtIn: true };
  return resolved;
}

const TRANSLITERATION: Record<string, string> = {
  ą: 'a',
  ć: 'c',
  ę: 'e',
  ł: 'l',
  ń: 'n',
  ś: 's',
  ź: 'z',
  ż: 'z',
  Ą: 'A',
  Ć: 'C',
  Ę: 'E',
  Ł: 'L',
  Ń: 'N',
  Ś: 'S',
  Ź: 'Z',
  Ż: 'Z',
  ă: 'a',
  â: 'a',
  î: 'i',
  ș: 's',
  ş: 's',
  ț: 't',
  ţ: 't',
  Ă: 'A',
  Â: 'A',
  Î: 'I',
  Ș: 'S',
  Ş: 'S',
  Ț: 'T',
  Ţ: 'T',
  ő: 'o',
  ű: 'u',
  Ő: 'O',
  Ű: 'U',
};

/** Text as the chosen font can print it. */
export function printable(value: string, fonts: PdfFonts): string {
  if (!fonts.builtIn) return value;
  // WinAnsi covers Latin-1 (ó, é, ü …); the rest is transliterated or replaced.
  return value.replace(
    /[^\u0020-\u00ff]/g,
    (ch) => TRANSLITERATION[ch] ?? (ch.normalize('NFD').replace(/[^\u0020-\u00ff]/g, '') || '?'),
  );
}

/** Address fields in the order a letter shows them. */
export function addressLines(address: unknown): string[] {
  if (!address || typeof address !== 'object') return [];
  const a = address as Record<string, unknown>;
  const str = (k: string) => (typeof a[k] === 'string' ? a[k] : '');
  const street = str('street') || str('line1');
  const city = [str('postalCode') || str('postCode') || str('zip'), str('city')].filter(Boolean).join(' ');
  return [street, str('line2'), city, str('county'), str('countryCode') || str('country')].filter(Boolean);
}
