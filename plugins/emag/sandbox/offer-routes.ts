import type { ApiCall, ApiRoute } from './api.ts';
import { catalogOf } from './catalog.ts';
import { offerJson, type CatalogItem } from './catalog.ts';
import { fail, isRecord, ok, paging, toInt, type Envelope } from './envelope.ts';

/** `product_offer/read` and `count` (API doc "Publishing products and offers"): the seller's offers. */
function matching(
  call: ApiCall,
): { items: CatalogItem[]; page: { page: number; perPage: number } } | { error: string } {
  const f = isRecord(call.data) ? call.data : {};
  const page = paging(f);
  if ('error' in page) return page;
  let items = catalogOf(call.ctx.seed, call.account);
  if (f.id !== undefined) {
    const id = toInt(f.id);
    if (id === undefined) return { error: 'id must be an integer' };
    items = items.filter((i) => i.id === id);
  }
  if (f.part_number !== undefined) items = items.filter((i) => i.partNumber === String(f.part_number));
  if (f.part_number_key !== undefined)
    items = items.filter((i) => i.partNumberKey === String(f.part_number_key));
  if (f.status !== undefined) {
    const status = toInt(f.status);
    items = items.filter((i) => i.status === status);
  }
  return { items, page };
}

function read(call: ApiCall): Envelope {
  const m = matching(call);
  if ('error' in m) return fail(m.error);
  const start = (m.page.page - 1) * m.page.perPage;
  return ok(
    m.items
      .slice(start, start + m.page.perPage)
      .map((i) => offerJson(i, call.account, call.ctx.store.anchor)),
  );
}

function count(call: ApiCall): Envelope {
  const m = matching(call);
  if ('error' in m) return fail(m.error);
  return ok({
    noOfItems: String(m.items.length),
    noOfPages: String(Math.ceil(m.items.length / m.page.perPage)),
    itemsPerPage: String(m.page.perPage),
  });
}

export const offerRoutes: readonly ApiRoute[] = [
  { path: 'product_offer/read', group: 'other', handler: read },
  { path: 'product_offer/count', group: 'other', handler: count },
];
