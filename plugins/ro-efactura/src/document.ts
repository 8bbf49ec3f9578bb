/**
 * The issued document as the host hands it to a plugin that consumes company documents: the
 * frozen snapshot of SPEC "Invoicing core" (`GET /api/v1/invoices/:id` shape). Declared here, field
 * for field what this plugin reads, so the plugin does not import host internals; a type test in
 * `test/ubl.test.ts` checks the host's `FrozenDocument` still fits it.
 */
export interface IssuedAddress {
  street?: string;
  city?: string;
  postalCode?: string;
  /** ISO 3166-1 alpha-2. */
  country?: string;
  /** Romania: ISO 3166-2:RO county code (`RO-CJ`, `RO-B`) or a county name. */
  county?: string;
}

export interface IssuedLine {
  position: number;
  name: string;
  sku?: string;
  quantity: string;
  unit: string;
  unitNet: string;
  vatRate: string;
  net: string;
  vat: string;
  gross: string;
}

export interface IssuedVatSummary {
  vatRate: string;
  net: string;
  vat: string;
  gross: string;
  vatNational?: string;
}

export interface IssuedDocument {
  type: 'invoice' | 'correction';
  series: string;
  number: string;
  issueDate: string;
  saleDate: string;
  seller: {
    legalName: string;
    taxId: string;
    vatId?: string;
    registrationNumber?: string;
    address: IssuedAddress & { street: string; city: string; country: string };
    bankAccount: string | null;
    vatStatus: 'registered' | 'exempt';
  };
  buyer: {
    name: string;
    kind: 'business' | 'consumer';
    companyName?: string;
    taxIds: { type: string; value: string }[];
    address: IssuedAddress | null;
    email?: string;
  };
  lines: IssuedLine[];
  vatSummary: IssuedVatSummary[];
  totals: { net: string; vat: string; gross: string };
  currency: string;
  exchangeRate: {
    rate: string;
    source: string;
    table: string;
    date: string;
    nationalCurrency: string;
    vatNational: string;
  } | null;
  taxCountry: string;
  oss: boolean;
  /** The host found the buyer's EU VAT id valid: an intra-EU supply the buyer accounts for. */
  reverseCharge?: boolean;
  externalOrderId: string | null;
  marketplace: string | null;
  payment: { method: string | null; dueDate: string | null; paid: boolean };
  corrects: string | null;
}
