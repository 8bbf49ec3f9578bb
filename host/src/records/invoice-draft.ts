import {
  assertExpectedGross,
  computeLine,
  type LineAmounts,
  MoneyError,
  normaliseVatRate,
  type PriceMode,
  sumLines,
  type Totals,
} from '../invoicing/money.ts';
import type { MappedRecord } from './mapping-engine.ts';

/**
 * A mapped invoice made concrete and checked: typed fields, line amounts computed exactly, and
 * the marketplace's own total compared (SPEC "Invoicing core"). Any problem refuses the record
 * with a message a person can act on; nothing of it is written.
 */

export class RecordRefused extends Error {
  override name = 'RecordRefused';
}

export interface CustomerDraft {
  externalId: string;
  name: string;
  companyName: string | null;
  taxId: string | null;
  /** Every tax id the marketplace gave, with its type names; absent on drafts held before they were kept. */
  taxIds?: { type: string; value: string }[];
  /** Whether the marketplace says the buyer is VAT-registered; null or absent when it does not say. */
  vatRegistered?: boolean | null;
  email: string | null;
  phone: string | null;
  address: { street?: string; city?: string; postalCode?: string; countryCode?: string } | null;
}

export interface ProductDraft {
  externalId: string;
  name: string;
  sku: string | null;
  vatRate: string;
  unitPrice: string | null;
  currency: string | null;
}

export interface LineDraft extends LineAmounts {
  position: number;
  name: string;
  sku: string | null;
  /** The marketplace's id of the line, when the mapping gives it (corrections name lines by it). */
  ref?: string;
  product: ProductDraft | null;
}

export interface InvoiceDraft {
  externalId: string;
  currency: string;
  issueDate: string;
  saleDate: string;
  priceMode: PriceMode;
  paid: boolean;
  paidAt: string | null;
  cancelled: boolean;
  totals: Totals;
  lines: LineDraft[];
  customer: CustomerDraft | null;
  /** False when the integration invoices only orders whose buyer asked and this one did not. */
  invoiceRequested?: boolean;
  /** Payment method as the marketplace names it, and the due date, when the mapping gives them. */
  paymentMethod?: string | null;
  dueDate?: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}/;
const PAID_WORDS = new Set(['paid', 'finished', 'completed', 'complete', 'settled', 'true', 'yes']);
const FALSE_WORDS = new Set(['', '0', 'false', 'no', 'none', 'null']);

function text(value: unknown, field: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  throw new RecordRefused(`${field} must be text, got ${JSON.stringify(value)}`);
}

function optionalText(value: unknown, field: string): string | null {
  return value === undefined || value === null || value === '' ? null : text(value, field);
}

function truthy(value: unknown): boolean {
  if (typeof value === 'string') return !FALSE_WORDS.has(value.trim().toLowerCase());
  return Boolean(value);
}

/** `YYYY-MM-DD` from a date or an ISO timestamp (Allegro `updatedAt`, eMAG `date` "2026-01-02 10:00:00"). */
function isoDate(value: unknown, field: string): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  const s = text(value, field);
  if (!DATE.test(s))
    throw new RecordRefused(`${field} must be a date (YYYY-MM-DD…), got ${JSON.stringify(value)}`);
  return s.slice(0, 10);
}

function timestamp(value: unknown, field: string): string {
  const s = text(value, field);
  const parsed = new Date(s.includes('T') || !DATE.test(s) ? s : `${s.replace(' ', 'T')}Z`);
  if (Number.isNaN(parsed.getTime()))
    throw new RecordRefused(`${field} must be a timestamp, got ${JSON.stringify(value)}`);
  return parsed.toISOString();
}

function isPaid(mapped: MappedRecord): boolean {
  const status = mapped.paymentStatus;
  if (status === undefined) return mapped.paidAt !== undefined;
  if (typeof status === 'string') return PAID_WORDS.has(status.trim().toLowerCase());
  return status === true;
}

/** `[{type, value}]` (or one such object) as a mapping gives tax ids; entries without a value are dropped. */
function taxIdList(value: unknown): { type: string; value: string }[] {
  const items = Array.isArray(value) ? (value as unknown[]) : [value];
  return items.flatMap((item) => {
    if (!item || typeof item !== 'object') return [];
    const { type, value: v } = item as { type?: unknown; value?: unknown };
    const text = typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '';
    if (!text) return [];
    return [
      { type: typeof type === 'string' && type ? type.slice(0, 40) : 'TAX_ID', value: text.slice(0, 40) },
    ];
  });
}

function customerDraft(mapped: MappedRecord): CustomerDraft {
  const address = {
    ...(mapped.street === undefined ? {} : { street: text(mapped.street, 'customer.street') }),
    ...(mapped.city === undefined ? {} : { city: text(mapped.city, 'customer.city') }),
    ...(mapped.postalCode === undefined
      ? {}
      : { postalCode: text(mapped.postalCode, 'customer.postalCode') }),
    ...(mapped.countryCode === undefined
      ? {}
      : { countryCode: text(mapped.countryCode, 'customer.countryCode') }),
  };
  return {
    externalId: text(mapped.externalId, 'customer.externalId'),
    name: text(mapped.name, 'customer.name').slice(0, 300),
    companyName: optionalText(mapped.companyName, 'customer.companyName'),
    taxId: optionalText(mapped.taxId, 'customer.taxId'),
    ...(mapped.taxIds === undefined ? {} : { taxIds: taxIdList(mapped.taxIds) }),
    ...(mapped.vatRegistered === undefined || mapped.vatRegistered === null
      ? {}
      : { vatRegistered: truthy(mapped.vatRegistered) }),
    email: optionalText(mapped.email, 'customer.email'),
    phone: optionalText(mapped.phone, 'customer.phone'),
    address: Object.keys(address).length ? address : null,
  };
}

function productDraft(mapped: MappedRecord, line: LineAmounts): ProductDraft {
  return {
    externalId: text(mapped.externalId, 'product.externalId'),
    name: text(mapped.name, 'product.name').slice(0, 500),
    sku: optionalText(mapped.sku, 'product.sku'),
    vatRate: mapped.vatRate === undefined ? line.vatRate : normaliseVatRate(mapped.vatRate),
    unitPrice: mapped.unitPrice === undefined ? null : text(mapped.unitPrice, 'product.unitPrice'),
    currency: optionalText(mapped.currency, 'product.currency'),
  };
}

/** Builds the invoice draft; throws {@link RecordRefused} (money errors included) when it cannot. */
export function toInvoiceDraft(mapped: MappedRecord): InvoiceDraft {
  try {
    const priceMode: PriceMode =
      mapped.pricesIncludeVat === undefined || truthy(mapped.pricesIncludeVat) ? 'gross' : 'net';
    const rawLines = Array.isArray(mapped.lines) ? (mapped.lines as MappedRecord[]) : [];
    if (rawLines.length === 0) throw new RecordRefused('the order has no lines to invoice');
    const lines = rawLines.map((raw, i): LineDraft => {
      const what = `line ${i + 1}`;
      let amounts: LineAmounts;
      try {
        amounts = computeLine({
          quantity: raw.quantity,
          unitPrice: raw.unitPrice,
          vatRate: raw.vatRate,
          discount: raw.discount,
          mode: priceMode,
        });
      } catch (error) {
        throw new RecordRefused(`${what}: ${(error as Error).message}`);
      }
      return {
        position: i + 1,
        name: text(raw.name, `${what} name`).slice(0, 500),
        sku: optionalText(raw.sku, `${what} sku`),
        ...(raw.ref === undefined || raw.ref === null
          ? {}
          : { ref: text(raw.ref, `${what} ref`).slice(0, 200) }),
        product: raw.product ? productDraft(raw.product as MappedRecord, amounts) : null,
        ...amounts,
      };
    });
    const currency = text(mapped.currency, 'currency').toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency))
      throw new RecordRefused(`currency must be an ISO 4217 code, got ${JSON.stringify(mapped.currency)}`);
    const totals = sumLines(lines);
    if (mapped.totalGross !== undefined) assertExpectedGross(totals, mapped.totalGross, currency);
    const issueDate = isoDate(mapped.issueDate, 'issueDate');
    const paid = isPaid(mapped);
    return {
      externalId: text(mapped.externalId, 'externalId'),
      currency,
      issueDate,
      saleDate: mapped.saleDate === undefined ? issueDate : isoDate(mapped.saleDate, 'saleDate'),
      priceMode,
      paid,
      paidAt: mapped.paidAt === undefined ? null : timestamp(mapped.paidAt, 'paidAt'),
      cancelled: mapped.cancelled !== undefined && truthy(mapped.cancelled),
      totals,
      lines,
      customer: mapped.customer ? customerDraft(mapped.customer as MappedRecord) : null,
      ...(mapped.invoiceRequested === undefined ? {} : { invoiceRequested: truthy(mapped.invoiceRequested) }),
      ...(mapped.paymentMethod === undefined
        ? {}
        : { paymentMethod: optionalText(mapped.paymentMethod, 'paymentMethod') }),
      ...(mapped.dueDate === undefined ? {} : { dueDate: isoDate(mapped.dueDate, 'dueDate') }),
    };
  } catch (error) {
    if (error instanceof MoneyError) throw new RecordRefused(error.message);
    throw error;
  }
}
