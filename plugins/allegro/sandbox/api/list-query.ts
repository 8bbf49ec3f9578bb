import { CHECKOUT_STATUSES, FULFILLMENT_STATUSES } from '../data/order-header.ts';
import type { AccountOrders } from '../store.ts';

type Query = Record<string, string | string[] | undefined>;

export interface ListQuery {
  offset: number;
  limit: number;
  status?: number;
  fulfillment?: number;
  updatedGte?: number;
  updatedLte?: number;
  boughtGte?: number;
  boughtLte?: number;
  buyerLogin?: string;
  sort: 'lineItems.boughtAt' | '-lineItems.boughtAt' | 'updatedAt' | '-updatedAt';
}

/** The deepest result `offset + limit` may reach. */
export const MAX_RESULT_WINDOW = 10_000;

const SORTS = ['lineItems.boughtAt', '-lineItems.boughtAt', 'updatedAt', '-updatedAt'] as const;

/** Validates `GET /order/checkout-forms` parameters; bounds violations are 422 like Allegro's. */
export function parseListQuery(
  q: Query,
): { ok: true; query: ListQuery } | { ok: false; message: string; path: string } {
  const one = (k: string): string | undefined => {
    const v = q[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const int = (k: string, def: number, min: number, max: number): number | null => {
    const raw = one(k);
    if (raw === undefined) return def;
    if (!/^-?\d+$/.test(raw)) return null;
    const n = Number(raw);
    return n >= min && n <= max ? n : null;
  };
  const offset = int('offset', 0, 0, Number.MAX_SAFE_INTEGER);
  if (offset === null) return { ok: false, message: 'offset must be an integer >= 0', path: 'offset' };
  const limit = int('limit', 100, 1, 100);
  if (limit === null)
    return { ok: false, message: 'limit must be an integer between 1 and 100', path: 'limit' };
  // Allegro pages no deeper than 10 000 results: larger histories are read in time windows
  // (reference/README.md "Orders", Correction; allegro-api #4027, #4052, #5998).
  if (offset + limit > MAX_RESULT_WINDOW) {
    return {
      ok: false,
      message: `offset + limit must not exceed ${MAX_RESULT_WINDOW}; narrow the query (e.g. updatedAt.gte/updatedAt.lte) instead of paging further`,
      path: 'offset',
    };
  }
  const query: ListQuery = { offset, limit, sort: '-lineItems.boughtAt' };

  const status = one('status');
  if (status !== undefined) {
    const i = (CHECKOUT_STATUSES as readonly string[]).indexOf(status);
    if (i < 0) return { ok: false, message: `Unknown status: ${status}`, path: 'status' };
    query.status = i;
  }
  const fulfillment = one('fulfillment.status');
  if (fulfillment !== undefined) {
    const i = (FULFILLMENT_STATUSES as readonly string[]).indexOf(fulfillment);
    if (i < 0)
      return { ok: false, message: `Unknown fulfillment.status: ${fulfillment}`, path: 'fulfillment.status' };
    query.fulfillment = i;
  }
  const dates = [
    ['updatedAt.gte', 'updatedGte'],
    ['updatedAt.lte', 'updatedLte'],
    ['lineItems.boughtAt.gte', 'boughtGte'],
    ['lineItems.boughtAt.lte', 'boughtLte'],
  ] as const;
  for (const [param, key] of dates) {
    const raw = one(param);
    if (raw === undefined) continue;
    const ms = Date.parse(raw);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(ms)) {
      return { ok: false, message: `${param} must be an ISO 8601 date-time`, path: param };
    }
    query[key] = ms;
  }
  query.buyerLogin = one('buyer.login');
  const sort = one('sort');
  if (sort !== undefined) {
    const s = SORTS.find((x) => x === sort);
    if (!s) return { ok: false, message: `Unknown sort: ${sort}`, path: 'sort' };
    query.sort = s;
  }
  return { ok: true, query };
}

/**
 * The page of order indices for a query. Without filters and in the default order the page is
 * computed directly (newest first = highest index first); otherwise the compact columns are
 * scanned, so even 100 000 orders never become 100 000 objects.
 */
export function listCheckoutForms(
  store: AccountOrders,
  q: ListQuery,
): { indices: number[]; totalCount: number } {
  const plain =
    q.status === undefined &&
    q.fulfillment === undefined &&
    q.updatedGte === undefined &&
    q.updatedLte === undefined &&
    q.boughtGte === undefined &&
    q.boughtLte === undefined &&
    q.buyerLogin === undefined &&
    store.hidden.size === 0;
  const n = store.size;
  if (plain && (q.sort === '-lineItems.boughtAt' || q.sort === 'lineItems.boughtAt')) {
    const indices: number[] = [];
    for (let p = q.offset; p < Math.min(n, q.offset + q.limit); p++) {
      indices.push(q.sort === '-lineItems.boughtAt' ? n - 1 - p : p);
    }
    return { indices, totalCount: n };
  }
  const cols = store.columns();
  const matches: number[] = [];
  const anyHidden = store.hidden.size > 0;
  for (let i = 0; i < n; i++) {
    if (anyHidden && store.hidden.has(i)) continue;
    if (q.status !== undefined && cols.status[i] !== q.status) continue;
    if (q.fulfillment !== undefined && cols.fulfillment[i] !== q.fulfillment) continue;
    const updated = cols.updatedAt[i] ?? 0;
    if (q.updatedGte !== undefined && updated < q.updatedGte) continue;
    if (q.updatedLte !== undefined && updated > q.updatedLte) continue;
    if (q.boughtGte !== undefined || q.boughtLte !== undefined) {
      const bought = store.times(i).boughtAt;
      if (q.boughtGte !== undefined && bought < q.boughtGte) continue;
      if (q.boughtLte !== undefined && bought > q.boughtLte) continue;
    }
    if (q.buyerLogin !== undefined && (store.form(i).buyer as { login: string }).login !== q.buyerLogin)
      continue;
    matches.push(i);
  }
  // Index order is boughtAt order (seeded orders are spaced in time, added ones come later).
  if (q.sort === 'updatedAt')
    matches.sort((a, b) => (cols.updatedAt[a] ?? 0) - (cols.updatedAt[b] ?? 0) || a - b);
  else if (q.sort === '-updatedAt')
    matches.sort((a, b) => (cols.updatedAt[b] ?? 0) - (cols.updatedAt[a] ?? 0) || b - a);
  else if (q.sort === '-lineItems.boughtAt') matches.reverse();
  return { indices: matches.slice(q.offset, q.offset + q.limit), totalCount: matches.length };
}
