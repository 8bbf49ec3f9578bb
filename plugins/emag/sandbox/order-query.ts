import type { OrderFilter } from './order-filters.ts';
import type { AccountOrders, OrderStore } from './order-store.ts';

/**
 * Finds the orders matching a filter without building them: creation dates are
 * non-decreasing in the index, so a created range is two binary searches; the other
 * criteria read the header arrays. Orders are returned newest first (API doc 5.3: "By default on
 * /order/read we expose the last 100 orders"), so a page boundary moves when an order arrives:
 * a client paging through a sweep sees some orders twice, never misses one.
 */
export function selectOrders(
  store: OrderStore,
  acc: AccountOrders,
  filter: OrderFilter,
  window: {
    offset: number;
    limit: number;
    /** Keep counting past the page (order/count). */ countAll?: boolean;
  },
): { indexes: number[]; total: number } {
  let lo = 0;
  let hi = acc.count;
  if (filter.id !== undefined) {
    const index = store.find(acc, filter.id);
    if (index < 0) return { indexes: [], total: 0 };
    lo = index;
    hi = index + 1;
  }
  if (filter.createdFrom !== undefined) lo = Math.max(lo, lowerBound(store, acc, filter.createdFrom));
  if (filter.createdTo !== undefined) hi = Math.min(hi, lowerBound(store, acc, filter.createdTo + 1));

  const indexes: number[] = [];
  let total = 0;
  const end = window.offset + window.limit;
  const h = store.arrays(acc);
  for (let i = hi - 1; i >= lo; i--) {
    if (h.type[i] !== filter.type) continue;
    if (filter.statuses && !filter.statuses.has(h.status[i]!)) continue;
    if (filter.paymentModes && !filter.paymentModes.has(h.payment[i]!)) continue;
    if (filter.isComplete !== undefined && h.complete[i] !== filter.isComplete) continue;
    if (filter.modifiedFrom !== undefined || filter.modifiedTo !== undefined) {
      const m = store.modifiedAt(acc, i);
      if (filter.modifiedFrom !== undefined && m < filter.modifiedFrom) continue;
      if (filter.modifiedTo !== undefined && m > filter.modifiedTo) continue;
    }
    if (total >= window.offset && total < end) indexes.push(i);
    total++;
    if (total >= end && !window.countAll) break;
  }
  return { indexes, total };
}

/** First index whose creation time is >= ms. */
function lowerBound(store: OrderStore, acc: AccountOrders, ms: number): number {
  let lo = 0;
  let hi = acc.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (store.createdAt(acc, mid) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
