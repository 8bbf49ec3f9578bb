import { oneMonthAfter, parseDate } from './dates.ts';
import { toInt, toIntList } from './envelope.ts';

/**
 * Order filters of `order/read` and `order/count` (API doc "Order filters"): dates come in
 * pairs for count and for the *Before keys, and a pair spans at most one month; `type`
 * defaults to 3 (fulfilled by seller).
 */
export interface OrderFilter {
  id?: number;
  statuses?: Set<number>;
  paymentModes?: Set<number>;
  isComplete?: number;
  type: number;
  createdFrom?: number;
  createdTo?: number;
  modifiedFrom?: number;
  modifiedTo?: number;
}

export function parseOrderFilter(
  f: Record<string, unknown>,
  action: 'read' | 'count',
): { filter: OrderFilter } | { error: string } {
  const filter: OrderFilter = { type: 3 };
  if (f.id !== undefined) {
    const id = toInt(f.id);
    if (id === undefined || id < 1 || id > 4294967295)
      return { error: 'id must be an integer between 1 and 4294967295' };
    filter.id = id;
  }
  if (f.type !== undefined) {
    const type = toInt(f.type);
    if (type !== 2 && type !== 3)
      return { error: 'type must be 2 (fulfilled by eMAG) or 3 (fulfilled by seller)' };
    filter.type = type;
  }
  if (f.status !== undefined) {
    const list = toIntList(f.status);
    if (!list || list.some((s) => s < 0 || s > 5))
      return { error: 'status must be an integer between 0 and 5 or a list of them' };
    filter.statuses = new Set(list);
  }
  const pm = f.payment_mode_id ?? f['payment_mode_ id'];
  if (pm !== undefined) {
    const list = toIntList(pm);
    if (!list || list.some((s) => s < 1 || s > 3))
      return { error: 'payment_mode_id must be 1, 2 or 3 or a list of them' };
    filter.paymentModes = new Set(list);
  }
  if (f.is_complete !== undefined) {
    const c = toInt(f.is_complete);
    if (c !== 0 && c !== 1) return { error: 'is_complete must be 0 or 1' };
    filter.isComplete = c;
  }
  for (const [after, before, from, to] of [
    ['createdAfter', 'createdBefore', 'createdFrom', 'createdTo'],
    ['modifiedAfter', 'modifiedBefore', 'modifiedFrom', 'modifiedTo'],
  ] as const) {
    const a = f[after];
    const b = f[before];
    if (a === undefined && b === undefined) continue;
    const aMs = a === undefined ? undefined : parseDate(a);
    const bMs = b === undefined ? undefined : parseDate(b);
    if (a !== undefined && aMs === undefined)
      return { error: `${after} must be a date in YYYY-mm-dd HH:ii:ss format` };
    if (b !== undefined && bMs === undefined)
      return { error: `${before} must be a date in YYYY-mm-dd HH:ii:ss format` };
    if (bMs !== undefined && aMs === undefined)
      return { error: `${before} can only be set if ${after} is present` };
    if (action === 'count' && aMs !== undefined && bMs === undefined)
      return { error: `${after} can only be set if ${before} is present` };
    if (aMs !== undefined && bMs !== undefined) {
      if (bMs < aMs) return { error: `${before} must be later than ${after}` };
      if (bMs > oneMonthAfter(aMs))
        return { error: `Maximum 1 month difference between ${after} and ${before}` };
    }
    filter[from] = aMs;
    filter[to] = bMs;
  }
  return { filter };
}
