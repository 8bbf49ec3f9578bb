import type { Clearance, Invoice } from '$lib/api-types.ts';
import { api } from '$lib/trpc.ts';

// One document as `invoices.document` answers it: the frozen document (the same fields as
// `GET /api/v1/invoices/:id`, SPEC "Interfaces"), typed here because the host hands it over as a
// plain record. Documents issued before documents were frozen (`frozen: false`) lack the parties,
// lines and summary; the page says so.

interface Address {
  street?: string;
  city?: string;
  postalCode?: string;
  country?: string;
  county?: string;
}

export interface DocumentLine {
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
}

export interface InvoiceDocument {
  id: string;
  frozen: boolean;
  type: 'invoice' | 'correction';
  number: string;
  issueDate: string;
  saleDate?: string;
  status: string;
  integrationId: string | null;
  externalOrderId: string | null;
  marketplace?: string | null;
  seller?: {
    name: string;
    taxId: string;
    vatId?: string;
    registrationNumber?: string;
    address: Address;
    bankAccount: string | null;
  };
  buyer?: {
    name: string;
    kind: 'business' | 'consumer';
    companyName?: string;
    taxId: string | null;
    address: Address | null;
    email?: string;
  };
  buyerName?: string | null;
  lines?: DocumentLine[];
  vatSummary?: { vatRate: string; net: string; vat: string; gross: string; vatNational?: string }[];
  totalNet: string;
  totalVat: string;
  totalGross: string;
  currency: string;
  exchangeRate: {
    rate: string;
    source: string;
    table: string;
    date: string;
    nationalCurrency: string;
    vatNational: string;
  } | null;
  payment?: { method: string | null; dueDate: string | null; paid: boolean };
  reverseCharge?: boolean;
  /** VAT of the buyer's country, declared through the EU one-stop shop. */
  oss?: boolean;
  corrects: string | null;
  correctedBy: string[];
  /** A correction's kind and reason, in the seller's words. */
  correction?: { kind: string; reason: string; correctedNumber: string; correctedIssueDate: string };
  clearance: Clearance | null;
  pdfUrl: string;
  xmlUrl: string | null;
  receiptUrl: string | null;
}

/** A document linked from this one (what it corrects, its corrections). */
export type Linked = Pick<Invoice, 'id' | 'number' | 'issueDate' | 'totalGross' | 'currency' | 'type'>;

export interface DocumentPage {
  document: InvoiceDocument;
  corrected: Linked | null;
  corrections: Linked[];
}

/** The document and the numbers of the documents it links to (one batch of small reads). */
export async function readDocument(id: string): Promise<DocumentPage> {
  const document = (await api.invoices.document.query({ id })) as unknown as InvoiceDocument;
  const linkedIds = [...(document.corrects ? [document.corrects] : []), ...(document.correctedBy ?? [])];
  const linked = await Promise.all(
    linkedIds.map((linkedId) => api.invoices.get.query({ id: linkedId }).catch(() => null)),
  );
  const byId = new Map(linked.filter((l) => l !== null).map((l) => [l.id, l]));
  return {
    document,
    corrected: document.corrects ? (byId.get(document.corrects) ?? null) : null,
    corrections: (document.correctedBy ?? []).flatMap((c) => byId.get(c) ?? []),
  };
}
