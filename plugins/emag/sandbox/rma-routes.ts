import type { ApiCall, ApiRoute } from './api.ts';
import { parseDate } from './dates.ts';
import { asEntityList, fail, isRecord, ok, paging, toInt, toIntList, type Envelope } from './envelope.ts';

/**
 * `rma/read`, `rma/count`, `rma/save` (API doc "Processing return requests"). Status moves
 * follow the doc's matrix: 2 new → 3 approved | 5 canceled, 3 → 5 | 6 received,
 * 6 → 4 refused | 7 finalized; saving the current status again is allowed.
 */
const MOVES: Record<number, readonly number[]> = { 2: [3, 5], 3: [5, 6], 6: [4, 7] };
const RMA_STATUS_NAMES: Record<number, string> = {
  1: 'incomplete',
  2: 'new',
  3: 'approved',
  4: 'refused',
  5: 'canceled',
  6: 'received',
  7: 'finalized',
};

interface RmaFilter {
  emagId?: number;
  sellerId?: number;
  orderId?: number;
  statuses?: Set<number>;
  type?: number;
  from?: number;
  to?: number;
}

function parseFilter(f: Record<string, unknown>): { filter: RmaFilter } | { error: string } {
  const filter: RmaFilter = {};
  const ints: [keyof RmaFilter, string][] = [
    ['emagId', 'emag_id'],
    ['sellerId', 'id'],
    ['orderId', 'order_id'],
    ['type', 'type'],
  ];
  for (const [key, name] of ints) {
    if (f[name] === undefined) continue;
    const n = toInt(f[name]);
    if (n === undefined) return { error: `${name} must be an integer` };
    (filter as Record<string, number>)[key] = n;
  }
  if (f.request_status !== undefined) {
    const list = toIntList(f.request_status);
    if (!list) return { error: 'request_status must be an integer or a list of integers' };
    filter.statuses = new Set(list);
  }
  for (const [name, key] of [
    ['date_start', 'from'],
    ['date_end', 'to'],
  ] as const) {
    if (f[name] === undefined) continue;
    const ms = parseDate(f[name]);
    if (ms === undefined) return { error: `${name} must be a date in YYYY-mm-dd HH:ii:ss format` };
    filter[key] = ms;
  }
  return { filter };
}

function select(
  call: ApiCall,
  filter: RmaFilter,
  offset: number,
  limit: number,
): { items: number[]; total: number } {
  const { rmas, store } = call.ctx;
  const acc = store.of(call.account);
  const items: number[] = [];
  let total = 0;
  const n = rmas.count(call.account);
  for (let j = 0; j < n; j++) {
    const h = rmas.header(call.account, j);
    if (filter.emagId !== undefined && h.emagId !== filter.emagId) continue;
    if (filter.statuses && !filter.statuses.has(h.status)) continue;
    if (filter.from !== undefined && h.createdAt < filter.from) continue;
    if (filter.to !== undefined && h.createdAt > filter.to) continue;
    if (filter.orderId !== undefined && store.id(acc, h.orderIndex) !== filter.orderId) continue;
    if (filter.type !== undefined && store.header(acc, h.orderIndex).type !== filter.type) continue;
    if (filter.sellerId !== undefined && rmas.overlay(call.account, j)?.sellerId !== filter.sellerId)
      continue;
    if (total >= offset && total < offset + limit) items.push(j);
    total++;
  }
  return { items, total };
}

function read(call: ApiCall): Envelope {
  const f = isRecord(call.data) ? call.data : {};
  const page = paging(f);
  if ('error' in page) return fail(page.error);
  const parsed = parseFilter(f);
  if ('error' in parsed) return fail(parsed.error);
  const { items } = select(call, parsed.filter, (page.page - 1) * page.perPage, page.perPage);
  return ok(items.map((j) => call.ctx.rmas.json(call.account, j)));
}

function count(call: ApiCall): Envelope {
  const f = isRecord(call.data) ? call.data : {};
  const page = paging(f);
  if ('error' in page) return fail(page.error);
  const parsed = parseFilter(f);
  if ('error' in parsed) return fail(parsed.error);
  const { total } = select(call, parsed.filter, 0, 0);
  return ok({
    noOfItems: String(total),
    noOfPages: String(Math.ceil(total / page.perPage)),
    itemsPerPage: String(page.perPage),
  });
}

function save(call: ApiCall): Envelope {
  const { account, ctx } = call;
  const list = asEntityList(call.data);
  if (!list || list.length === 0) return fail('data must be a list of return requests');
  if (list.length > 50) return fail('Maximum 50 entities per request');
  const errors: string[] = [];
  const planned: { index: number; emagId: number; from: number; to: number; sellerId?: number }[] = [];
  for (const r of list) {
    const emagId = toInt(r.emag_id);
    const index = emagId === undefined ? -1 : ctx.rmas.find(account, emagId);
    if (emagId === undefined || index < 0) {
      errors.push(`Return request ${String(r.emag_id)} not found`);
      continue;
    }
    const header = ctx.rmas.header(account, index);
    const from = header.status;
    // `type` is required on rma/save since 4.4.8 (API doc version table; 7 "Return requests
    // fields": type Required; reference README "eMAG": besides the id and status).
    const type = toInt(r.type);
    if (type === undefined) {
      errors.push(`Return request ${emagId}: type is mandatory (2 fulfilled by eMAG, 3 fulfilled by seller)`);
      continue;
    }
    const actualType = ctx.store.header(ctx.store.of(account), header.orderIndex).type;
    if (type !== actualType) {
      errors.push(`Return request ${emagId}: type ${type} does not match the return's type ${actualType}`);
      continue;
    }
    const to = toInt(r.request_status);
    if (to === undefined || to < 1 || to > 7) {
      errors.push(`Return request ${emagId}: request_status must be an integer between 1 and 7`);
      continue;
    }
    if (to !== from && !(MOVES[from] ?? []).includes(to)) {
      errors.push(
        `Return request ${emagId}: the status cannot be changed from ${from} (${RMA_STATUS_NAMES[from]}) to ${to} (${RMA_STATUS_NAMES[to]})`,
      );
      continue;
    }
    const sellerId = r.id === undefined || r.id === null ? undefined : toInt(r.id);
    planned.push({ index, emagId, from, to, ...(sellerId !== undefined ? { sellerId } : {}) });
  }
  if (errors.length > 0) return fail(...errors);
  const now = ctx.now();
  for (const p of planned) {
    ctx.rmas.mutate(account, p.index, {
      status: p.to,
      modified: now,
      ...(p.sellerId !== undefined ? { sellerId: p.sellerId } : {}),
    });
    if (p.to !== p.from) {
      ctx.ledger.record({
        kind: 'rma.status_changed',
        account: account.key,
        target: String(p.emagId),
        data: { from: p.from, to: p.to },
      });
    }
  }
  return ok([]);
}

export const rmaRoutes: readonly ApiRoute[] = [
  { path: 'rma/read', group: 'other', handler: read },
  { path: 'rma/count', group: 'other', handler: count },
  { path: 'rma/save', group: 'other', handler: save },
];
