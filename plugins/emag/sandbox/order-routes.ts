import type { ApiRoute } from './api.ts';
import { fail, isRecord, ok, paging, toInt } from './envelope.ts';
import { parseOrderFilter } from './order-filters.ts';
import { selectOrders } from './order-query.ts';
import { saveAttachments } from './attachments.ts';
import { saveOrders } from './order-save.ts';

/**
 * `order/read`, `order/count`, `order/acknowledge/{id}` (API doc "Processing orders",
 * "Order notification, acknowledgment and order filters"); save and attachments live in
 * their own files.
 */
export const orderRoutes: readonly ApiRoute[] = [
  {
    path: 'order/read',
    group: 'orders',
    handler: ({ account, data, ctx }) => {
      const filters = isRecord(data) ? data : {};
      const page = paging(filters);
      if ('error' in page) return fail(page.error);
      const parsed = parseOrderFilter(filters, 'read');
      if ('error' in parsed) return fail(parsed.error);
      const acc = ctx.store.of(account);
      const { indexes } = selectOrders(ctx.store, acc, parsed.filter, {
        offset: (page.page - 1) * page.perPage,
        limit: page.perPage,
      });
      return ok(indexes.map((i) => ctx.store.order(acc, i)));
    },
  },
  {
    path: 'order/count',
    group: 'orders',
    handler: ({ account, data, ctx }) => {
      const filters = isRecord(data) ? data : {};
      const page = paging(filters);
      if ('error' in page) return fail(page.error);
      const parsed = parseOrderFilter(filters, 'count');
      if ('error' in parsed) return fail(parsed.error);
      const { total } = selectOrders(ctx.store, ctx.store.of(account), parsed.filter, {
        offset: 0,
        limit: 0,
        countAll: true,
      });
      // eMAG returns the counts as strings (observed: {"noOfItems":"797","noOfPages":"8","itemsPerPage":"100"}).
      return ok({
        noOfItems: String(total),
        noOfPages: String(Math.ceil(total / page.perPage)),
        itemsPerPage: String(page.perPage),
      });
    },
  },
  {
    path: 'order/acknowledge/:id',
    group: 'orders',
    handler: ({ account, params, ctx }) => {
      const id = toInt(params.id);
      const acc = ctx.store.of(account);
      const index = id === undefined ? -1 : ctx.store.find(acc, id);
      if (id === undefined || index < 0) return fail(`Order ${params.id} not found`);
      const { status, type } = ctx.store.header(acc, index);
      // "Order acknowledge … is available only for 3P orders."
      if (type !== 3) return fail(`Order ${id} is fulfilled by eMAG (type 2) and cannot be acknowledged`);
      // Acknowledging again is harmless (the notification already stopped): no second effect.
      if (status !== 1) {
        if (status === 0) return fail(`Order ${id} is canceled and cannot be acknowledged`);
        return ok([]);
      }
      const now = ctx.now();
      ctx.store.mutate(acc, index, { status: 2, statusChangedAt: now, modified: now });
      ctx.ledger.record({
        kind: 'order.acknowledged',
        account: account.key,
        target: String(id),
        data: { from: 1, to: 2 },
      });
      return ok([]);
    },
  },
  { path: 'order/save', group: 'orders', handler: saveOrders },
  { path: 'order/attachments/save', group: 'orders', handler: saveAttachments },
];
