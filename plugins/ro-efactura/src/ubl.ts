import { cityFor, countyCode } from './counties.ts';
import type { IssuedAddress, IssuedDocument, IssuedLine } from './document.ts';

/**
 * UBL 2.1 Invoice (380, 384) / CreditNote (381) under CIUS-RO from an issued (frozen) document.
 * Element order follows the UBL 2.1 XSDs (ubl-2.1-xsd/maindoc/UBL-Invoice-2.1.xsd,
 * UBL-CreditNote-2.1.xsd); the business terms (BT-n) are EN 16931's, the RO rules CIUS-RO 1.0.9's
 * (cius-ro-1.0.9-schematron/cius-ro/RO16931-rules.sch). The ANAF examples in
 * reference/ro-efactura/examples/ show the same shapes.
 */

/** BT-24, the value ANAF requires (reference README "E-invoicing", every ANAF example). */
export const CIUS_RO_CUSTOMIZATION_ID =
  'urn:cen.eu:en16931:2017#compliant#urn:efactura.mfinante.ro:CIUS-RO:1.0.1';

/** A buyer without a personal numeric code (CNP): 13 zeros (reference README "E-invoicing"). */
export const NO_CNP = '0000000000000';

const NS = {
  Invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  CreditNote: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
};

export interface UblOptions {
  /** The corrected invoice's number (BT-25), for corrections; the document id otherwise. */
  correctedNumber?: string;
  /** The corrected invoice's issue date (BT-26). */
  correctedIssueDate?: string;
  /**
   * How a correction that credits is written (setting `corrections`, reference README
   * "E-invoicing": "corrections 381 as `CreditNote`, or a storno invoice with negative
   * quantities"): `credit-note` (default) a CreditNote 381 with positive amounts; `storno` an
   * Invoice 380 with negative quantities and amounts, citing the corrected invoice (BG-3).
   */
  corrections?: Corrections;
}

export type Corrections = 'credit-note' | 'storno';

export interface UblDocument {
  /** `UBL` for an Invoice, `CN` for a CreditNote: ANAF's `upload?standard=` value. */
  standard: 'UBL' | 'CN';
  xml: string;
}

type Node = string | null | undefined | false | Node[];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function el(name: string, attrs: Record<string, string> | null, ...children: Node[]): string {
  const a = attrs
    ? Object.entries(attrs)
        .map(([k, v]) => ` ${k}="${esc(v)}"`)
        .join('')
    : '';
  const body = children.flat(10 as 1).filter((c): c is string => typeof c === 'string' && c !== '');
  return `<${name}${a}>${body.join('')}</${name}>`;
}

const text = (name: string, value: string | undefined | null, attrs: Record<string, string> | null = null) =>
  value === undefined || value === null || value.trim() === '' ? null : el(name, attrs, esc(value.trim()));

/** Amounts with exactly 2 decimals (CIUS-RO BR-RO-Z2 family; EN 16931 BR-DEC-*). */
export function amount(value: string, negate = false): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) throw new Error(`Not a decimal amount: ${value}`);
  const frac = (m[3] ?? '').padEnd(2, '0');
  if (frac.length > 2 && /[1-9]/.test(frac.slice(2))) throw new Error(`More than 2 decimals: ${value}`);
  const digits = `${m[2]!.replace(/^0+(?=\d)/, '')}.${frac.slice(0, 2)}`;
  const negative = (m[1] === '-') !== negate && /[1-9]/.test(digits);
  return `${negative ? '-' : ''}${digits}`;
}

/** A quantity or price as UBL wants it (no exponent, sign flipped for a credit note). */
function decimal(value: string, negate = false): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) throw new Error(`Not a decimal: ${value}`);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const body = `${m[2]!.replace(/^0+(?=\d)/, '')}${frac ? `.${frac}` : ''}`;
  const negative = (m[1] === '-') !== negate && /[1-9]/.test(body);
  return `${negative ? '-' : ''}${body}`;
}

function percent(rate: string): string {
  return decimal(rate);
}

/** UN/ECE Rec 20 unit of a frozen unit word; every marketplace line is counted in pieces (H87). */
function unitCode(unit: string): string {
  const u = unit.trim().toLowerCase();
  if (['kg'].includes(u)) return 'KGM';
  if (['m'].includes(u)) return 'MTR';
  if (['l'].includes(u)) return 'LTR';
  if (['h', 'ora', 'ore'].includes(u)) return 'HUR';
  return 'H87';
}

/** EU member states (ISO 3166-1), plus the VAT prefixes `EL` (Greece) and `XI` (Northern Ireland, goods). */
const EU = new Set(
  'AT BE BG CY CZ DE DK EE EL ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK XI'.split(' '),
);

/** The buyer's country (its address; the seller's when it has none). */
export function buyerCountry(doc: IssuedDocument): string {
  return (doc.buyer.address?.country ?? doc.seller.address.country).toUpperCase();
}

/**
 * VAT category (BT-151/BT-118, UNCL5305) of a rate: `S` standard/reduced (Romanian VAT charged,
 * whoever the buyer is), `Z` zero-rated at home, `O` not subject (a seller that is not a VAT
 * payer, Codul fiscal art. 310), `K` intra-Community supply to a business with a VAT id of another
 * member state, `G` export to a buyer outside the EU (Codul fiscal art. 294 alin. (1) lit. a)).
 */
export function vatCategory(doc: IssuedDocument, rate: string): 'S' | 'Z' | 'O' | 'K' | 'G' {
  if (doc.seller.vatStatus === 'exempt') return 'O';
  if (Number(rate) > 0) return 'S';
  if (buyerEuVatId(doc)) return 'K';
  return EU.has(buyerCountry(doc)) ? 'Z' : 'G';
}

const EXEMPTION: Record<string, { code?: string; reason: string }> = {
  O: { code: 'VATEX-EU-O', reason: 'Neplatitor de TVA (art. 310 Cod fiscal)' },
  K: {
    code: 'VATEX-EU-IC',
    reason: 'Livrare intracomunitara scutita (art. 294 alin. (2) lit. a) Cod fiscal)',
  },
  G: { code: 'VATEX-EU-G', reason: 'Export scutit (art. 294 alin. (1) lit. a) Cod fiscal)' },
};

/** The seller's VAT id (BT-31): `RO` + CUI for a VAT payer. */
function sellerVatId(doc: IssuedDocument): string | null {
  if (doc.seller.vatStatus !== 'registered') return null;
  const raw = (doc.seller.vatId ?? doc.seller.taxId).replace(/\s/g, '').toUpperCase();
  return /^[A-Z]{2}/.test(raw) ? raw : `${doc.seller.address.country.toUpperCase()}${raw}`;
}

/**
 * The buyer's VAT id of another EU member state (a prefix of an EU state other than Romania): a
 * British `GB…` or a Moldovan company id is no EU VAT id, and the buyer then pays Romanian VAT or
 * buys for export.
 */
export function buyerEuVatId(doc: IssuedDocument): string | null {
  for (const id of doc.buyer.taxIds) {
    const v = id.value.replace(/\s/g, '').toUpperCase();
    const prefix = v.slice(0, 2);
    if (
      /^[A-Z]{2}[0-9A-Z]{2,}$/.test(v) &&
      prefix !== 'RO' &&
      EU.has(prefix) &&
      (id.type === 'VAT_EU' || /^[A-Z]{2}\d/.test(v))
    )
      return v;
  }
  return null;
}

/** BT-31 / BT-48: a VAT identifier under the VAT tax scheme. */
function vatScheme(vatId: string): string {
  return el(
    'cac:PartyTaxScheme',
    null,
    text('cbc:CompanyID', vatId),
    el('cac:TaxScheme', null, text('cbc:ID', 'VAT')),
  );
}

function addressXml(a: IssuedAddress | null, country: string): string {
  const isRo = country === 'RO';
  const county = isRo && a ? countyCode(a) : null;
  const city = isRo ? cityFor(county, a?.city, a?.postalCode) : (a?.city?.trim() ?? '');
  return el(
    'cac:PostalAddress',
    null,
    text('cbc:StreetName', a?.street),
    text('cbc:CityName', city),
    text('cbc:PostalZone', a?.postalCode),
    // BT-39/BT-54: ISO 3166-2:RO for Romania (BR-RO-110/111); abroad the free text given.
    isRo ? text('cbc:CountrySubentity', county) : text('cbc:CountrySubentity', a?.county),
    el('cac:Country', null, text('cbc:IdentificationCode', country)),
  );
}

function supplierXml(doc: IssuedDocument): string {
  const s = doc.seller;
  const country = s.address.country.toUpperCase();
  const vatId = sellerVatId(doc);
  const legalId = s.taxId.replace(/\s/g, '').toUpperCase().replace(/^RO/, '');
  return el(
    'cac:AccountingSupplierParty',
    null,
    el(
      'cac:Party',
      null,
      addressXml(s.address, country),
      vatId
        ? vatScheme(vatId)
        : // BT-32, the seller's tax registration id when it is not a VAT payer (BR-RO-065).
          el('cac:PartyTaxScheme', null, text('cbc:CompanyID', legalId), el('cac:TaxScheme', null)),
      el(
        'cac:PartyLegalEntity',
        null,
        text('cbc:RegistrationName', s.legalName),
        // BT-30: the trade register number when known, else the CUI.
        text('cbc:CompanyID', s.registrationNumber ?? legalId),
      ),
    ),
  );
}

function customerXml(doc: IssuedDocument): string {
  const b = doc.buyer;
  const country = buyerCountry(doc);
  const euVat = buyerEuVatId(doc);
  const roId = b.taxIds
    .map((t) => t.value.replace(/\s/g, '').toUpperCase())
    .find((v) => /^(RO)?\d{2,10}$/.test(v));
  const otherId = b.taxIds.map((t) => t.value.replace(/\s/g, '')).find(Boolean);
  // BT-48 (VAT id) for a VAT-registered business (Romanian or of another EU state); BT-47 (legal
  // id) always: the CUI, a foreign company's own id (a non-EU VAT or company number too), or 13
  // zeros for a person without a CNP (BR-RO-120).
  const vatId = euVat ?? (roId?.startsWith('RO') ? roId : null);
  const legalId = roId ? roId.replace(/^RO/, '') : (otherId ?? NO_CNP);
  const name = (b.companyName ?? b.name).trim() || 'Persoana fizica';
  return el(
    'cac:AccountingCustomerParty',
    null,
    el(
      'cac:Party',
      null,
      addressXml(b.address, country),
      vatId ? vatScheme(vatId) : null,
      el(
        'cac:PartyLegalEntity',
        null,
        text('cbc:RegistrationName', name.slice(0, 200)),
        text('cbc:CompanyID', legalId),
      ),
      b.email ? el('cac:Contact', null, text('cbc:ElectronicMail', b.email.slice(0, 100))) : null,
    ),
  );
}

function taxCategoryXml(tag: string, doc: IssuedDocument, rate: string): string {
  const cat = vatCategory(doc, rate);
  return el(
    tag,
    null,
    text('cbc:ID', cat),
    cat === 'O' ? null : text('cbc:Percent', percent(rate)),
    el('cac:TaxScheme', null, text('cbc:ID', 'VAT')),
  );
}

function lineXml(doc: IssuedDocument, line: IssuedLine, credit: boolean, negate: boolean): string {
  const cur = { currencyID: doc.currency };
  const tag = credit ? 'cac:CreditNoteLine' : 'cac:InvoiceLine';
  const qtyTag = credit ? 'cbc:CreditedQuantity' : 'cbc:InvoicedQuantity';
  // A line whose net and quantity disagree in sign (a price correction) keeps a positive price.
  const price = decimal(line.unitNet).replace(/^-/, '');
  return el(
    tag,
    null,
    text('cbc:ID', String(line.position)),
    text(qtyTag, decimal(line.quantity, negate), { unitCode: unitCode(line.unit) }),
    text('cbc:LineExtensionAmount', amount(line.net, negate), cur),
    el(
      'cac:Item',
      null,
      text('cbc:Name', line.name.slice(0, 100)),
      line.sku ? el('cac:SellersItemIdentification', null, text('cbc:ID', line.sku.slice(0, 100))) : null,
      taxCategoryXml('cac:ClassifiedTaxCategory', doc, line.vatRate),
    ),
    el('cac:Price', null, text('cbc:PriceAmount', price, cur)),
  );
}

/** Whether a correction is a credit (its total is negative). */
function isCredit(doc: IssuedDocument): boolean {
  return doc.type === 'correction' && amount(doc.totals.gross).startsWith('-');
}

/**
 * The type code (BT-3, BR-RO-020) of a document: 380 an invoice or a storno invoice (a credit
 * written with negative quantities), 384 a correction that adds, 381 a credit note.
 */
function typeCode(doc: IssuedDocument, creditNote: boolean): '380' | '381' | '384' {
  if (creditNote) return '381';
  return doc.type === 'correction' && !isCredit(doc) ? '384' : '380';
}

/** The UBL document of an issued document; throws only on amounts that are not decimals. */
export function toUbl(doc: IssuedDocument, options: UblOptions = {}): UblDocument {
  // A credit becomes a CreditNote (amounts turned positive) unless the seller chose storno
  // invoices: then it stays an Invoice with the frozen negative quantities and amounts.
  const creditNote = isCredit(doc) && (options.corrections ?? 'credit-note') === 'credit-note';
  const negate = creditNote;
  const root = creditNote ? 'CreditNote' : 'Invoice';
  const cur = { currencyID: doc.currency };
  const foreign = doc.currency.toUpperCase() !== 'RON';
  const notes: string[] = [];
  if (foreign && doc.exchangeRate)
    notes.push(
      `Curs de schimb ${doc.exchangeRate.source} ${doc.exchangeRate.rate} RON/${doc.currency} din ${doc.exchangeRate.date}; TVA ${amount(doc.exchangeRate.vatNational)} RON`,
    );
  if (doc.marketplace) notes.push(`Comanda ${doc.marketplace}`.slice(0, 300));
  const vatRon = foreign ? (doc.exchangeRate?.vatNational ?? null) : null;
  const correctedRef = doc.type === 'correction' ? (options.correctedNumber ?? doc.corrects) : null;
  const paid = doc.payment.paid;
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    el(
      root,
      { xmlns: NS[root], 'xmlns:cac': NS.cac, 'xmlns:cbc': NS.cbc },
      text('cbc:CustomizationID', CIUS_RO_CUSTOMIZATION_ID),
      text('cbc:ID', doc.number),
      text('cbc:IssueDate', doc.issueDate),
      creditNote ? null : text('cbc:DueDate', doc.payment.dueDate),
      text(creditNote ? 'cbc:CreditNoteTypeCode' : 'cbc:InvoiceTypeCode', typeCode(doc, creditNote)),
      notes.map((n) => text('cbc:Note', n)),
      // BT-7 is the tax point only when it differs from the issue date.
      creditNote || doc.saleDate === doc.issueDate ? null : text('cbc:TaxPointDate', doc.saleDate),
      text('cbc:DocumentCurrencyCode', doc.currency.toUpperCase()),
      // BT-6: a non-RON invoice states its VAT in RON too (BR-RO-030, EN 16931 BR-53).
      foreign ? text('cbc:TaxCurrencyCode', 'RON') : null,
      doc.externalOrderId
        ? el('cac:OrderReference', null, text('cbc:ID', doc.externalOrderId.slice(0, 200)))
        : null,
      correctedRef
        ? el(
            'cac:BillingReference',
            null,
            el(
              'cac:InvoiceDocumentReference',
              null,
              text('cbc:ID', correctedRef),
              text('cbc:IssueDate', options.correctedIssueDate),
            ),
          )
        : null,
      supplierXml(doc),
      customerXml(doc),
      !creditNote && doc.saleDate
        ? el('cac:Delivery', null, text('cbc:ActualDeliveryDate', doc.saleDate))
        : null,
      doc.seller.bankAccount
        ? el(
            'cac:PaymentMeans',
            null,
            text('cbc:PaymentMeansCode', '30'),
            el('cac:PayeeFinancialAccount', null, text('cbc:ID', doc.seller.bankAccount)),
          )
        : null,
      el(
        'cac:TaxTotal',
        null,
        text('cbc:TaxAmount', amount(doc.totals.vat, negate), cur),
        doc.vatSummary.map((s) => {
          const cat = vatCategory(doc, s.vatRate);
          const ex = EXEMPTION[cat];
          return el(
            'cac:TaxSubtotal',
            null,
            text('cbc:TaxableAmount', amount(s.net, negate), cur),
            text('cbc:TaxAmount', amount(s.vat, negate), cur),
            el(
              'cac:TaxCategory',
              null,
              text('cbc:ID', cat),
              cat === 'O' ? null : text('cbc:Percent', percent(s.vatRate)),
              ex ? text('cbc:TaxExemptionReasonCode', ex.code) : null,
              ex ? text('cbc:TaxExemptionReason', ex.reason) : null,
              el('cac:TaxScheme', null, text('cbc:ID', 'VAT')),
            ),
          );
        }),
      ),
      vatRon !== null
        ? el('cac:TaxTotal', null, text('cbc:TaxAmount', amount(vatRon, negate), { currencyID: 'RON' }))
        : null,
      el(
        'cac:LegalMonetaryTotal',
        null,
        text('cbc:LineExtensionAmount', amount(doc.totals.net, negate), cur),
        text('cbc:TaxExclusiveAmount', amount(doc.totals.net, negate), cur),
        text('cbc:TaxInclusiveAmount', amount(doc.totals.gross, negate), cur),
        paid ? text('cbc:PrepaidAmount', amount(doc.totals.gross, negate), cur) : null,
        text('cbc:PayableAmount', paid ? '0.00' : amount(doc.totals.gross, negate), cur),
      ),
      doc.lines.map((l) => lineXml(doc, l, creditNote, negate)),
    );
  return { standard: creditNote ? 'CN' : 'UBL', xml };
}
