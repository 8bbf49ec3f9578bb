/**
 * The frozen document: everything an issued invoice states, captured once at issue and stored
 * with it (`invoices.document`). The PDF, `GET /api/v1/invoices/:id` and clearance XML are made
 * from this value only, so later edits to the company, the customer, the product or a template
 * never change an issued document (SPEC "Invoicing core": frozen documents, corrected only by a
 * linked document). Amounts are decimal strings; dates `YYYY-MM-DD`.
 */

/** Schema version of the snapshot; a renderer refuses a version it does not know. */
export const FROZEN_DOCUMENT_VERSION = 1;

export type DocumentType = 'invoice' | 'correction';

/** Whether the seller charges VAT: a registered payer, or exempt (e.g. PL art. 113 small business). */
export type VatStatus = 'registered' | 'exempt';

export interface FrozenAddress {
  street: string;
  city: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** Romania: ISO 3166-2:RO county code (`RO-CJ`, `RO-B` for Bucharest). */
  county?: string;
}

export interface FrozenSeller {
  legalName: string;
  /** The tax id as validated for `address.country` (PL NIP, RO CUI/CIF, HU adószám, BG EIK/VAT). */
  taxId: string;
  /** The EU VAT number when the seller has one (`PL…`, `RO…`). */
  vatId?: string;
  registrationNumber?: string;
  address: FrozenAddress;
  /** IBAN, validated; null when the company gave none. */
  bankAccount: string | null;
  vatStatus: VatStatus;
}

export interface FrozenBuyerTaxId {
  /** As the marketplace names it: `PL_NIP`, `VAT_EU`, `CUI`, … or `TAX_ID` when unnamed. */
  type: string;
  value: string;
}

export interface FrozenBuyer {
  name: string;
  /** Business (it gave a company or a tax id) or consumer. */
  kind: 'business' | 'consumer';
  companyName?: string;
  taxIds: FrozenBuyerTaxId[];
  /** Address fields as the marketplace gave them; `country` ISO alpha-2 when known. */
  address: Partial<FrozenAddress> | null;
  email?: string;
}

export interface FrozenLine {
  position: number;
  name: string;
  sku?: string;
  /** The marketplace's id of the line (e.g. WooCommerce's order item id), for corrections that name it. */
  ref?: string;
  quantity: string;
  /** Unit of measure: `szt.`/`buc.`/`db`/`бр.` are rendered by language from `pcs`. */
  unit: string;
  unitNet: string;
  unitGross: string;
  /** Percent with 2 decimals (`23.00`). */
  vatRate: string;
  net: string;
  vat: string;
  gross: string;
}

export interface FrozenVatSummary {
  vatRate: string;
  net: string;
  vat: string;
  gross: string;
  /** The VAT of this rate in the national currency (foreign-currency invoices only). */
  vatNational?: string;
}

export interface FrozenExchangeRate {
  /** National currency units per 1 unit of the invoice currency. */
  rate: string;
  source: 'NBP' | 'BNR';
  /** NBP table number (`214/A/NBP/2025`); BNR publishes no number: `BNR {date}`. */
  table: string;
  /** The date of the table applied (the last business day before the tax point). */
  date: string;
  nationalCurrency: string;
  /** Total VAT in the national currency. */
  vatNational: string;
}

/**
 * The template the document was issued with, as it was then: the PDF is rendered from this, not
 * from the template's current row, so editing or replacing the template (layout, footer note,
 * logo, second language) leaves issued PDFs as they were. The logo is kept by its SHA-256 in
 * `invoice_logos`, which is never updated.
 */
export interface FrozenTemplate {
  /** The template's id at issue (for reference; its row may have changed or gone since). */
  id: string;
  name: string;
  layout: string;
  footerNote: string | null;
  secondLanguage: string | null;
  /** SHA-256 (hex) of the logo's bytes in `invoice_logos`; null when the template had no logo. */
  logoSha256: string | null;
}

/**
 * A legal mention the document carries, printed in the document's language(s): `reverse_charge`
 * (intra-EU B2B supply: VAT due from the buyer, Directive 2006/112/EC art. 138 and 196, art. 226
 * point 11/11a; PL "odwrotne obciążenie", RO "taxare inversă"), `oss` (the buyer's country's VAT
 * under the One-Stop-Shop scheme).
 */
export type FrozenMention = 'reverse_charge' | 'oss';

export interface FrozenDocument {
  version: typeof FROZEN_DOCUMENT_VERSION;
  type: DocumentType;
  /** The series code (`FV`) and the full number (`FV/2026/12/7`). */
  series: string;
  number: string;
  issueDate: string;
  saleDate: string;
  /** Language of the document: the seller's country's (`pl`, `ro`, `hu`, `bg`), else `en`. */
  language: string;
  seller: FrozenSeller;
  buyer: FrozenBuyer;
  lines: FrozenLine[];
  vatSummary: FrozenVatSummary[];
  totals: { net: string; vat: string; gross: string };
  currency: string;
  exchangeRate: FrozenExchangeRate | null;
  /** Country whose VAT applies: the seller's, or the buyer's for OSS distance sales. */
  taxCountry: string;
  /** True when the VAT is the buyer's country's under the One-Stop-Shop scheme. */
  oss: boolean;
  externalOrderId: string | null;
  /** The marketplace and its order number as printed. */
  marketplace: string | null;
  payment: { method: string | null; dueDate: string | null; paid: boolean };
  /** The corrected document's id (corrections only). */
  corrects: string | null;
  /**
   * The template frozen at issue; null: issued with the default look (no template chosen);
   * absent on documents issued before templates were frozen (those render with the current one).
   */
  template?: FrozenTemplate | null;
  /** True for an intra-EU B2B supply taxed by the buyer (reverse charge): every line at 0 %. */
  reverseCharge?: boolean;
  /** Legal mentions printed on the document (absent: none). */
  mentions?: FrozenMention[];
}
