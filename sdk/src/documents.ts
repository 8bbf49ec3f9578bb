/**
 * Documents a plugin of the company's issued documents receives (manifest `documents`): the
 * frozen document as the host issued it (the same fields as `GET /api/v1/invoices/:id`, SPEC
 * "Interfaces"), and the clearance result it hands back. A plain copy of the host's shape so a
 * plugin never imports host code.
 */

export interface IssuedAddress {
  street: string;
  city: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  county?: string;
}

export interface IssuedDocumentBody {
  version: number;
  type: 'invoice' | 'correction';
  series: string;
  number: string;
  issueDate: string;
  saleDate: string;
  language: string;
  seller: {
    legalName: string;
    taxId: string;
    vatId?: string;
    registrationNumber?: string;
    address: IssuedAddress;
    bankAccount: string | null;
    vatStatus: 'registered' | 'exempt';
  };
  buyer: {
    name: string;
    kind: 'business' | 'consumer';
    companyName?: string;
    taxIds: { type: string; value: string }[];
    address: Partial<IssuedAddress> | null;
    email?: string;
  };
  lines: {
    position: number;
    name: string;
    sku?: string;
    quantity: string;
    unit: string;
    unitNet: string;
    unitGross: string;
    vatRate: string;
    net: string;
    vat: string;
    gross: string;
  }[];
  vatSummary: { vatRate: string; net: string; vat: string; gross: string; vatNational?: string }[];
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
  /** An intra-EU B2B supply the buyer accounts for (reverse charge): every line at 0 %. */
  reverseCharge?: boolean;
  externalOrderId: string | null;
  marketplace: string | null;
  payment: { method: string | null; dueDate: string | null; paid: boolean };
  corrects: string | null;
}

export type ClearanceStatus = 'pending' | 'sent' | 'accepted' | 'rejected' | 'offline';

export interface ClearanceError {
  /** Where in the document or its XML (an XPath-like location, a field name, a line). */
  location?: string;
  message: string;
}

/** The clearance of a document as the host stores it (`clearance` in the invoice API). */
export interface ClearanceState {
  authority: string;
  status: ClearanceStatus;
  /** The authority's number for the document (KSeF number, e-Factura index) once accepted. */
  number: string | null;
  errors: ClearanceError[];
  /** The plugin's own follow-up data (session reference, offline deadline …), kept as given. */
  reference?: Record<string, unknown>;
  /** The reporting deadline the plugin gave, if any. */
  due?: ClearanceDue;
  updatedAt: string;
}

/** One document handed to the plugin. */
export interface ClearanceDocument {
  id: string;
  type: 'invoice' | 'correction';
  number: string;
  issueDate: string;
  document: IssuedDocumentBody;
  /** The corrected document (corrections): its number, issue date and clearance number. */
  corrected: { id: string; number: string; issueDate: string; clearanceNumber: string | null } | null;
  /** The stored clearance, when the document was handed over before (follow-up). */
  clearance: ClearanceState | null;
}

/** What the plugin reports for one document. */
export interface ClearanceResult {
  /**
   * `pending` with errors: held, not sent (e.g. the XML fails the schema) — shown with its errors,
   * never handed over again automatically. `not-required`: the authority does not take it (a
   * consumer's invoice under a "business buyers only" setting); the document goes on unhindered.
   */
  status: ClearanceStatus | 'not-required';
  number?: string | null;
  errors?: ClearanceError[];
  reference?: Record<string, unknown>;
  /** The clearance XML the plugin made (`GET /api/v1/invoices/:id/xml`). */
  xml?: string;
  /** The authority's receipt (KSeF UPO, e-Factura confirmation). */
  receipt?: { fileName: string; mediaType: string; content: string };
  /**
   * What the PDF prints beside the number: a verification link encoded as a QR code, with its
   * label under it (KSeF: the KSeF number, or "OFFLINE" while there is none).
   */
  qr?: { payload: string; label?: string } | null;
  /**
   * Further verification codes the PDF prints after `qr`, each with its label under it (KSeF
   * offline invoices: QR code II, the issuer's certificate link, labelled "CERTYFIKAT").
   */
  qrCodes?: { payload: string; label?: string }[] | null;
  /**
   * The date by which the authority must have the document (e-Factura: 5 working days from issue;
   * KSeF offline: the next working day). The console alerts from `warnFrom` until it is accepted.
   */
  due?: ClearanceDue;
}

/** A reporting deadline: dates (`YYYY-MM-DD`) read in the authority's time zone. */
export interface ClearanceDue {
  /** The last day the authority must have it. */
  by: string;
  /** From this day on the document is shown as "due soon" while not yet accepted. */
  warnFrom: string;
  /** IANA zone the dates are in, e.g. `Europe/Bucharest`. */
  timeZone: string;
}

export type ClearanceOutcome =
  | { id: string; status: 'done'; result: ClearanceResult }
  | { id: string; status: 'already-done' }
  | { id: string; status: 'failed'; error: unknown }
  | { id: string; status: 'busy' };

/**
 * `ctx.documents` (plugins with a manifest `documents` section): the company's issued documents,
 * handed over exactly once through the outbound ledger, and their clearance stored on them.
 */
export interface PluginDocuments {
  /** The company the plugin is connected for. */
  companyId: string;
  /**
   * Documents of the company not yet handed over (nor held), oldest first, a correction only after
   * the document it corrects was accepted (so it can refer to its clearance number).
   */
  pending(limit: number): Promise<ClearanceDocument[]>;
  /** Documents handed over whose answer is still awaited (`sent`, `offline`), oldest first. */
  awaiting(limit: number): Promise<ClearanceDocument[]>;
  /**
   * Hands documents over: each is claimed in the outbound ledger (kind `clearance`, key its id) so
   * it is sent once whatever crashes or other workers do; `fn` gets the claimed ones and returns
   * a result per document id, which the host stores. A document `fn` gives no result for, or all
   * of them when `fn` throws, is recorded as failed and handed over again by a later call (after
   * a crash the plugin must recognise the authority's "duplicate" answer). A held or rejected
   * document is never handed over again.
   */
  submit(
    documents: readonly ClearanceDocument[],
    fn: (claimed: ClearanceDocument[]) => Promise<Record<string, ClearanceResult>>,
  ): Promise<ClearanceOutcome[]>;
  /** Stores a later answer for a document handed over earlier (status polling). */
  record(documentId: string, result: ClearanceResult): Promise<void>;
  /** Stores later answers for many documents at once (document id → result), in one write. */
  recordAll(results: Readonly<Record<string, ClearanceResult>>): Promise<void>;
}
