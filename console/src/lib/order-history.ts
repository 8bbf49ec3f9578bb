// An order's history as one list (issue 21): the host's documents of the order (its invoice and
// corrections) and the records the plugin lists of that order (returns, refunds), oldest first.
// Generic: the records are the `items` of the plugin's `list` actions (lib/actions.ts).
import type { RecordId } from './actions.ts';

/** A document of the order as `invoices.orderHistory` gives it. */
export interface OrderDocument {
  id: string;
  /** `invoice` or `correction`. */
  type: string;
  number: string;
  issueDate: string;
  grossTotal: string;
  currency: string;
  pdfUrl: string;
  createdAt: string;
}

/** One record of a plugin's `list` action (a return, a refund). */
export interface ListedItem {
  id: RecordId;
  status: RecordId;
  statusLabel?: string | null;
  orderId?: RecordId | null;
  buyer?: string | null;
  amount?: string | null;
  currency?: string | null;
  createdAt?: string | null;
  lines?: string[];
}

export type HistoryEntry =
  | { kind: 'document'; key: string; at: string | null; document: OrderDocument }
  | { kind: 'return' | 'refund'; key: string; at: string | null; item: ListedItem };

/**
 * A time to order entries by: ISO dates and times, and the `YYYY-MM-DD HH:MM:SS` some marketplaces
 * write (read as UTC: a day's precision is what the history needs). NaN when there is none.
 */
export function timeOf(value: string | null | undefined): number {
  if (!value) return Number.NaN;
  const spaced = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/.exec(value);
  return Date.parse(spaced ? `${spaced[1]}T${spaced[2]}Z` : value);
}

/** The items of a list that belong to the order (their `orderId` is the order's id). */
export function ofOrder(items: readonly ListedItem[], orderId: string): ListedItem[] {
  return items.filter(
    (item) => item.orderId !== null && item.orderId !== undefined && String(item.orderId) === orderId,
  );
}

/**
 * Documents, returns and refunds of one order, oldest first; entries without a time keep their
 * place after the dated ones, documents before records on the same instant.
 */
export function orderHistory({
  orderId,
  documents,
  returns = [],
  refunds = [],
}: {
  orderId: string;
  documents: readonly OrderDocument[];
  returns?: readonly ListedItem[];
  refunds?: readonly ListedItem[];
}): HistoryEntry[] {
  const entries: HistoryEntry[] = [
    ...documents.map((document): HistoryEntry => ({
      kind: 'document',
      key: `document:${document.id}`,
      at: document.createdAt || document.issueDate,
      document,
    })),
    ...ofOrder(returns, orderId).map((item): HistoryEntry => ({
      kind: 'return',
      key: `return:${String(item.id)}`,
      at: item.createdAt ?? null,
      item,
    })),
    ...ofOrder(refunds, orderId).map((item): HistoryEntry => ({
      kind: 'refund',
      key: `refund:${String(item.id)}`,
      at: item.createdAt ?? null,
      item,
    })),
  ];
  const rank = (entry: HistoryEntry) => {
    const time = timeOf(entry.at);
    return Number.isNaN(time) ? Number.POSITIVE_INFINITY : time;
  };
  // Array.prototype.sort is stable: equal times keep documents first, in the host's order.
  return entries.sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    return ra === rb ? 0 : ra < rb ? -1 : 1;
  });
}
