import { createRequire } from 'node:module';
import type PDFKitDocument from 'pdfkit';

/**
 * pdfkit, loaded so that a font file is parsed once per process instead of once per document.
 *
 * pdfkit hands every registered font's bytes to `fontkit.create` for each new document, and
 * fontkit then decodes the font's tables (cmap, GSUB, GPOS, glyf …) again: ~80% of an invoice's
 * rendering time. A fontkit font object is read-only after parsing (each document still makes its
 * own subset), so one parsed font per font buffer is shared. pdfkit offers no hook for this, so
 * its `require('fontkit')` is answered with a copy of fontkit whose `create` remembers the fonts
 * it parsed per buffer (identity, so a different buffer is parsed anew).
 */
const fromHere = createRequire(import.meta.url);
const pdfkitPath = fromHere.resolve('pdfkit');
const fromPdfkit = createRequire(pdfkitPath);
const fontkitPath = fromPdfkit.resolve('fontkit');

type Fontkit = { create(buffer: Uint8Array, postscriptName?: string): unknown };
type Glyph = { _font: object; _decode(): unknown };

/** Fonts parsed through the cache: their glyph outlines never change. */
const shared = new WeakSet<object>();
const patchedGlyphs = new WeakSet<object>();
const outlines = new WeakMap<Glyph, unknown>();

/**
 * Each document's font subset decodes the outline of every glyph it uses again (fontkit's
 * `_decode`, ~20% of a render). For a shared, static (not variable) font the outline is the same
 * every time and is only read, so the first decoding is kept per glyph.
 */
function keepOutlines(font: { getGlyph?(id: number): unknown; _variationProcessor?: unknown }) {
  const glyph = font.getGlyph?.(0);
  const proto = glyph ? (Object.getPrototypeOf(glyph) as Partial<Glyph>) : undefined;
  if (!proto || typeof proto._decode !== 'function' || patchedGlyphs.has(proto)) return;
  patchedGlyphs.add(proto);
  const decode = proto._decode;
  proto._decode = function (this: Glyph) {
    const owner = this._font as { _variationProcessor?: unknown };
    if (!shared.has(owner) || owner._variationProcessor) return decode.call(this);
    if (!outlines.has(this)) outlines.set(this, decode.call(this));
    return outlines.get(this);
  };
}

type GlyphClass = new (id: number, codePoints: number[], font: object) => { codePoints: number[] };
type GlyphSource = { getGlyph(id: number, codePoints?: number[]): { codePoints: number[] } | null };

/**
 * A glyph's `codePoints` become the PDF's ToUnicode entry (what `pdftotext`, search and copy
 * read). fontkit keeps one glyph object per id with the code points of its first request, and a
 * font subset asks for the components of a composite glyph (the "z" of "ż") with none. In a font
 * parsed once per document that is harmless (subsetting is its last step); in a shared font the
 * next document got a "z" that maps to nothing ("Wars awa"). So a glyph asked for with code points
 * other than the cached glyph's gets a glyph object of its own, made as fontkit makes it.
 */
function codePointsPerRequest(font: GlyphSource) {
  const getGlyph = font.getGlyph.bind(font);
  const variants = new Map<string, { codePoints: number[] }>();
  font.getGlyph = (id: number, codePoints: number[] = []) => {
    const glyph = getGlyph(id, codePoints);
    if (!glyph || codePoints.length === 0 || sameCodePoints(glyph.codePoints, codePoints)) return glyph;
    const key = `${id}:${codePoints.join(',')}`;
    let variant = variants.get(key);
    if (!variant) {
      variant = new (glyph.constructor as GlyphClass)(id, codePoints, font);
      variants.set(key, variant);
    }
    return variant;
  };
}

const sameCodePoints = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((c, i) => c === b[i]);

/** False when pdfkit was already loaded elsewhere with the plain fontkit (still correct, slower). */
export let fontCacheInstalled = false;

if (!fromPdfkit.cache[pdfkitPath]) {
  const fontkit = fromPdfkit('fontkit') as Fontkit;
  const parsed = new WeakMap<Uint8Array, unknown>();
  const cached: Fontkit = {
    ...fontkit,
    create(buffer, postscriptName) {
      if (postscriptName) return fontkit.create(buffer, postscriptName);
      let font = parsed.get(buffer);
      if (!font) {
        font = fontkit.create(buffer);
        parsed.set(buffer, font);
        shared.add(font as object);
        keepOutlines(font as Parameters<typeof keepOutlines>[0]);
        codePointsPerRequest(font as GlyphSource);
      }
      return font;
    },
  };
  fromPdfkit.cache[fontkitPath]!.exports = cached;
  fontCacheInstalled = true;
}

/** Word layouts shared by every document using one parsed font; dropped when they grow large. */
const layouts = new WeakMap<object, { words: Record<string, unknown>; docs: number }>();
const MAX_SHARED_WORDS = 50_000;

/**
 * Shares the text layout of the document's registered fonts with earlier documents. pdfkit shapes
 * every word (OpenType substitutions and positioning) and caches the result per document; labels,
 * the issuer and common words repeat on every invoice. A layout is a pure function of the parsed
 * font and the word, and pdfkit copies layouts before adjusting them, so sharing is safe.
 */
export function shareFontLayouts(doc: PDFKit.PDFDocument, fontNames: readonly string[]): void {
  const internals = doc as unknown as { _font?: { font?: object; layoutCache?: Record<string, unknown> } };
  for (const name of fontNames) {
    doc.font(name);
    const embedded = internals._font;
    if (!fontCacheInstalled || !embedded?.font || !embedded.layoutCache) continue;
    let shared = layouts.get(embedded.font);
    if (!shared || (++shared.docs % 256 === 0 && Object.keys(shared.words).length > MAX_SHARED_WORDS)) {
      shared = { words: Object.create(null) as Record<string, unknown>, docs: 0 };
      layouts.set(embedded.font, shared);
    }
    embedded.layoutCache = shared.words;
  }
}

const PDFDocument = fromPdfkit(pdfkitPath) as typeof PDFKitDocument;
export default PDFDocument;
