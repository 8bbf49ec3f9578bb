/**
 * What the invoice renderer prints: a plain data type mirroring the frozen document of
 * `GET /api/v1/invoices/:id` (SPEC "Interfaces"). Amounts are decimal strings as stored. Fields
 * that today's records may not hold yet (units, payment method, bank account, exchange rate,
 * clearance) are optional: the renderer prints what is there and leaves the rest out.
 */

/** Document languages: the seller's country picks one (`languageForCountry`); English is the fallback. */
export const DOCUMENT_LANGUAGES = ['pl', 'ro', 'hu', 'bg', 'en'] as const;
export type DocumentLanguage = (typeof DOCUMENT_LANGUAGES)[number];

export interface RenderableAddress {
  street?: string | null;
  line2?: string | null;
  postalCode?: string | null;
  city?: string | null;
  /** Romania: county (ISO 3166-2:RO) or Bucharest sector. */
  county?: string | null;
  country?: string | null;
}

export interface RenderableParty {
  name: string;
  taxId?: string | null;
  address?: RenderableAddress | null;
  /** A person's name beside a company name (the buyer's contact), printed under it. */
  contactName?: string | null;
  registrationNumber?: string | null;
  email?: string | null;
}

export interface RenderableLine {
  name: string;
  /** Decimal string, e.g. "2.000". */
  quantity: string;
  /** Unit of measure as printed ("szt.", "buc.", "kg"); absent: the language's "piece". */
  unit?: string | null;
  unitNet: string;
  /** Percent, e.g. "23.00". */
  vatRate: string;
  net: string;
  vat: string;
  gross: string;
}

export interface RenderableVatRow {
  vatRate: string;
  net: string;
  vat: string;
  gross: string;
}

export interface RenderableExchangeRate {
  /** Units of the national currency per 1 unit of the invoice currency, e.g. "4.2575". */
  rate: string;
  /** e.g. "NBP", "BNR". */
  source: string;
  /** The published table, e.g. "232/A/NBP/2026". */
  table?: string | null;
  /** The table's date (YYYY-MM-DD). */
  date: string;
  /** e.g. "PLN". */
  nationalCurrency: string;
  /** VAT in the national currency; computed from the VAT summary and the rate when absent. */
  vatNational?: string | null;
}

/** Payment as agreed or as done: each part is printed when present. */
export interface RenderablePayment {
  /** A key of the labels' payment methods ("transfer", "card", "cash", "cod", "online") or free text. */
  method?: string | null;
  dueDate?: string | null;
  /** When the buyer paid (YYYY-MM-DD). */
  paidDate?: string | null;
}

/** The tax authority's clearance (KSeF number, RO e-Factura index) and its verification QR codes. */
export interface RenderableClearance {
  /** Null while the authority has not numbered it (a document issued offline). */
  number: string | null;
  qrPayload?: string | null;
  /** Printed under `qrPayload`'s code (KSeF: the number, or "OFFLINE"). */
  qrLabel?: string | null;
  /** Further codes printed after it, each with its label (KSeF offline: "CERTYFIKAT"). */
  codes?: readonly { payload: string; label?: string | null }[] | null;
}

export interface RenderableInvoice {
  type: 'invoice' | 'correction';
  number: string;
  series?: string | null;
  status?: 'issued' | 'paid' | 'cancelled';
  issueDate: string;
  saleDate: string;
  language: DocumentLanguage;
  /** Labels in a second language beside the first ("Faktura VAT / Invoice"). */
  secondLanguage?: DocumentLanguage | null;
  seller: RenderableParty;
  buyer: RenderableParty;
  lines: readonly RenderableLine[];
  /** Per VAT rate; computed from the lines when absent. */
  vatSummary?: readonly RenderableVatRow[] | null;
  totals: { net: string; vat: string; gross: string };
  currency: string;
  exchangeRate?: RenderableExchangeRate | null;
  payment?: RenderablePayment | null;
  bankAccount?: string | null;
  /** The marketplace's order number. */
  externalOrderId?: string | null;
  clearance?: RenderableClearance | null;
  /** Legal mentions to print (reverse charge, OSS), in the document's language(s). */
  mentions?: readonly ('reverse_charge' | 'oss')[] | null;
  /** The country whose VAT applies (named by the OSS mention). */
  taxCountry?: string | null;
  /** A correction's reference to the document it corrects, and why (printed under the dates). */
  correction?: RenderableCorrection | null;
}

export interface RenderableCorrection {
  correctedNumber: string;
  correctedIssueDate: string;
  reason: string;
}

const BY_COUNTRY: Partial<Record<string, DocumentLanguage>> = { PL: 'pl', RO: 'ro', HU: 'hu', BG: 'bg' };

/** The document language of a seller in `country` (ISO 3166-1 alpha-2). */
export function languageForCountry(country: string | null | undefined): DocumentLanguage {
  return BY_COUNTRY[(country ?? '').toUpperCase()] ?? 'en';
}

export const isDocumentLanguage = (value: unknown): value is DocumentLanguage =>
  typeof value === 'string' && (DOCUMENT_LANGUAGES as readonly string[]).includes(value);
