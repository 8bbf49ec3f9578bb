import { isFrozenCorrection } from './correction-document.ts';
import type { FrozenDocument } from './frozen-document.ts';
import type { RenderableAddress, RenderableInvoice, RenderableParty } from './pdf-document.ts';
import { isDocumentLanguage, languageForCountry } from './pdf-document.ts';

/** An invoice row as `InvoiceDocuments` reads it, with its company's columns. */
export interface StoredInvoiceRow {
  number: string;
  issue_date: string;
  sale_date: string;
  currency: string;
  net_total: string;
  vat_total: string;
  gross_total: string;
  status: 'issued' | 'paid' | 'cancelled';
  paid_at: Date | string | null;
  external_order_id: string | null;
  buyer: Record<string, unknown>;
  company_name: string | null;
  company_tax_id: string | null;
  company_registration_number: string | null;
  company_address: Record<string, string> | null;
  company_country: string | null;
}

export interface StoredLineRow {
  position: number;
  name: string;
  quantity: string;
  unit_net: string;
  vat_rate: string;
  net_amount: string;
  vat_amount: string;
  gross_amount: string;
}

const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);

/** An address as marketplaces and the company page write it (street/line1, postCode/zip …). */
export function toRenderableAddress(value: unknown): RenderableAddress | null {
  if (!value || typeof value !== 'object') return null;
  const a = value as Record<string, unknown>;
  return {
    street: text(a.street) ?? text(a.line1),
    line2: text(a.line2),
    postalCode: text(a.postalCode) ?? text(a.postCode) ?? text(a.zip),
    city: text(a.city),
    county: text(a.county),
    country: text(a.countryCode) ?? text(a.country),
  };
}

/**
 * The renderable document of an invoice as today's tables hold it: the language follows the
 * company's country; units, payment method, bank account, exchange rate and clearance are not
 * stored yet, so they are left out (the frozen document fills them).
 */
export function fromStoredInvoice(r: StoredInvoiceRow, lines: readonly StoredLineRow[]): RenderableInvoice {
  const b = r.buyer;
  const buyerName = text(b.companyName) ?? text(b.name) ?? '';
  const buyer: RenderableParty = {
    name: buyerName,
    contactName: text(b.name),
    taxId: text(b.taxId),
    address: toRenderableAddress(b.address),
    email: text(b.email),
  };
  const paidAt = r.paid_at === null ? null : new Date(r.paid_at);
  return {
    type: 'invoice',
    number: r.number,
    status: r.status,
    issueDate: r.issue_date,
    saleDate: r.sale_date,
    language: languageForCountry(r.company_country),
    currency: r.currency,
    seller: {
      name: r.company_name ?? '',
      taxId: r.company_tax_id,
      registrationNumber: r.company_registration_number,
      address: toRenderableAddress(r.company_address),
    },
    buyer,
    lines: [...lines]
      .sort((x, y) => x.position - y.position)
      .map((l) => ({
        name: l.name,
        quantity: l.quantity,
        unitNet: l.unit_net,
        vatRate: l.vat_rate,
        net: l.net_amount,
        vat: l.vat_amount,
        gross: l.gross_amount,
      })),
    totals: { net: r.net_total, vat: r.vat_total, gross: r.gross_total },
    payment: paidAt ? { paidDate: paidAt.toISOString().slice(0, 10) } : null,
    externalOrderId: r.external_order_id,
  };
}

/**
 * The renderable document of a frozen document: everything as issued; only the invoice's own
 * payment state (paid, cancelled) comes from its row.
 */
export function fromFrozenDocument(
  doc: FrozenDocument,
  state: { status: 'issued' | 'paid' | 'cancelled'; paidAt: Date | string | null },
): RenderableInvoice {
  const paidAt = state.paidAt === null ? null : new Date(state.paidAt);
  const seller = doc.seller;
  return {
    type: doc.type,
    number: doc.number,
    series: doc.series,
    status: state.status,
    issueDate: doc.issueDate,
    saleDate: doc.saleDate,
    language: isDocumentLanguage(doc.language) ? doc.language : languageForCountry(seller.address.country),
    currency: doc.currency,
    seller: {
      name: seller.legalName,
      taxId: seller.vatId ?? seller.taxId,
      registrationNumber: seller.registrationNumber ?? null,
      address: toRenderableAddress(seller.address),
    },
    buyer: {
      name: doc.buyer.companyName ?? doc.buyer.name,
      contactName: doc.buyer.companyName ? doc.buyer.name : null,
      taxId: doc.buyer.taxIds[0]?.value ?? null,
      address: toRenderableAddress(doc.buyer.address),
      email: doc.buyer.email ?? null,
    },
    lines: doc.lines.map((l) => ({
      name: l.name,
      quantity: l.quantity,
      // `pcs` is the neutral unit: the renderer prints the language's own word for it.
      unit: l.unit === 'pcs' ? null : l.unit,
      unitNet: l.unitNet,
      vatRate: l.vatRate,
      net: l.net,
      vat: l.vat,
      gross: l.gross,
    })),
    vatSummary: doc.vatSummary.map((v) => ({ vatRate: v.vatRate, net: v.net, vat: v.vat, gross: v.gross })),
    totals: doc.totals,
    exchangeRate: doc.exchangeRate && { ...doc.exchangeRate },
    payment: {
      method: doc.payment.method,
      dueDate: doc.payment.dueDate,
      paidDate: paidAt ? paidAt.toISOString().slice(0, 10) : null,
    },
    bankAccount: seller.bankAccount,
    externalOrderId: doc.externalOrderId,
    // Only documents issued with mentions print them: an older document's PDF stays as it was.
    ...(doc.mentions?.length ? { mentions: doc.mentions, taxCountry: doc.taxCountry } : {}),
    ...(isFrozenCorrection(doc)
      ? {
          correction: {
            correctedNumber: doc.correction.correctedNumber,
            correctedIssueDate: doc.correction.correctedIssueDate,
            reason: doc.correction.reason,
          },
        }
      : {}),
  };
}
