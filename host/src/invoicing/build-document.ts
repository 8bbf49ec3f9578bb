import type { InvoiceDraft } from '../records/invoice-draft.ts';
import type { RateQuote } from './exchange-rates.ts';
import {
  FROZEN_DOCUMENT_VERSION,
  type DocumentType,
  type FrozenBuyer,
  type FrozenDocument,
  type FrozenSeller,
  type FrozenTemplate,
} from './frozen-document.ts';
import { Decimal, totalsByRate } from './money.ts';

const LANGUAGES: Record<string, string> = { PL: 'pl', RO: 'ro', HU: 'hu', BG: 'bg' };
/** Unit of measure as each language writes "piece" on an invoice. */
const PIECE: Record<string, string> = { pl: 'szt.', ro: 'buc.', hu: 'db', bg: 'бр.', en: 'pcs' };

export function documentLanguage(sellerCountry: string): string {
  return LANGUAGES[sellerCountry.toUpperCase()] ?? 'en';
}

export function frozenBuyer(draft: InvoiceDraft): FrozenBuyer {
  const c = draft.customer;
  if (!c) return { name: '', kind: 'consumer', taxIds: [], address: null };
  const address = c.address
    ? {
        ...(c.address.street ? { street: c.address.street } : {}),
        ...(c.address.city ? { city: c.address.city } : {}),
        ...(c.address.postalCode ? { postalCode: c.address.postalCode } : {}),
        ...(c.address.countryCode ? { country: c.address.countryCode.toUpperCase() } : {}),
      }
    : null;
  return {
    name: c.name,
    kind: c.companyName || c.taxId ? 'business' : 'consumer',
    ...(c.companyName ? { companyName: c.companyName } : {}),
    // The marketplace's own list with its type names (the id the mapping picked first, as the
    // document prints the first); else that one id.
    taxIds: c.taxIds?.length
      ? [...c.taxIds].sort((x, y) => Number(y.value === c.taxId) - Number(x.value === c.taxId))
      : c.taxId
        ? [{ type: 'TAX_ID', value: c.taxId }]
        : [],
    address,
    ...(c.email ? { email: c.email } : {}),
  };
}

/** The document an invoice states, frozen at issue (frozen-document.ts). */
export function buildDocument(input: {
  type: DocumentType;
  draft: InvoiceDraft;
  seller: FrozenSeller;
  seriesCode: string;
  number: string;
  tax: { country: string; oss: boolean };
  rate: RateQuote | null;
  marketplace: string | null;
  corrects?: string | null;
  /** The template frozen with the document (`Issuer.template`); absent or null: the default look. */
  template?: FrozenTemplate | null;
  /** An intra-EU B2B supply taxed by the buyer: the draft's lines are already without VAT. */
  reverseCharge?: boolean;
}): FrozenDocument {
  const { draft, rate } = input;
  const language = documentLanguage(input.seller.address.country);
  const national = (amount: string) =>
    rate ? new Decimal(amount).times(rate.rate).toDecimalPlaces(2).toFixed(2) : undefined;
  const vatSummary = totalsByRate(draft.lines).map((t) => ({
    vatRate: t.vatRate,
    net: t.net,
    vat: t.vat,
    gross: t.gross,
    ...(rate ? { vatNational: national(t.vat)! } : {}),
  }));
  const vatNational = rate
    ? vatSummary.reduce((sum, s) => sum.plus(s.vatNational!), new Decimal(0)).toFixed(2)
    : undefined;
  return {
    version: FROZEN_DOCUMENT_VERSION,
    type: input.type,
    series: input.seriesCode,
    number: input.number,
    issueDate: draft.issueDate,
    saleDate: draft.saleDate,
    language,
    seller: input.seller,
    buyer: frozenBuyer(draft),
    lines: draft.lines.map((l) => ({
      position: l.position,
      name: l.name,
      ...(l.sku ? { sku: l.sku } : {}),
      ...(l.ref ? { ref: l.ref } : {}),
      quantity: l.quantity,
      unit: PIECE[language]!,
      unitNet: l.unitNet,
      unitGross: l.unitGross,
      vatRate: l.vatRate,
      net: l.net,
      vat: l.vat,
      gross: l.gross,
    })),
    vatSummary,
    totals: draft.totals,
    currency: draft.currency,
    exchangeRate: rate ? { ...rate, vatNational: vatNational! } : null,
    taxCountry: input.tax.country,
    oss: input.tax.oss,
    externalOrderId: draft.externalId,
    marketplace: input.marketplace,
    payment: {
      method: draft.paymentMethod ?? null,
      dueDate: draft.dueDate ?? draft.issueDate,
      paid: draft.paid,
    },
    corrects: input.corrects ?? null,
    template: input.template ?? null,
    reverseCharge: input.reverseCharge ?? false,
    mentions: [
      ...(input.reverseCharge ? (['reverse_charge'] as const) : []),
      ...(input.tax.oss ? (['oss'] as const) : []),
    ],
  };
}
