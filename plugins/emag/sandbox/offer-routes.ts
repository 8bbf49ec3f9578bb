import type { Account } from './accounts.ts';
import type { ApiCall, ApiRoute } from './api.ts';
import { offerJson, type CatalogItem, type OfferState } from './catalog.ts';
import { asEntityList, fail, isRecord, ok, paging, toInt, type Envelope } from './envelope.ts';
import { fmt4, vatFraction } from './money.ts';
import { vatRatesAt } from './platforms.ts';

/** API doc 1.5: "For API resources that accept bulk save, the limit is 50 entities per request." */
export const MAX_SAVE_ENTITIES = 50;

/** `product_offer/read` and `count` (API doc 2.8 "Reading and counting products and offers"): the seller's offers. */
function matching(
  call: ApiCall,
): { items: CatalogItem[]; page: { page: number; perPage: number } } | { error: string } {
  const f = isRecord(call.data) ? call.data : {};
  const page = paging(f);
  if ('error' in page) return page;
  let items = call.ctx.offers.items(call.account);
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
    items = items.filter((i) => call.ctx.offers.state(call.account, i).status === status);
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
      .map((i) => offerJson(i, call.account, call.ctx.store.anchor, call.ctx.offers.state(call.account, i))),
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

/** `vat/read` (API doc 2.2 "Reading VAT rates"): the ids `vat_id` takes, with their rates. */
function vatRead(call: ApiCall): Envelope {
  const rates = vatRatesAt(call.account.platform, call.ctx.store.anchor);
  return ok(
    rates.map((rate, i) => ({ vat_id: i + 1, vat_rate: vatFraction(rate), is_default: i === 0 ? 1 : 0 })),
  );
}

/**
 * A price as the doc constrains it ("Decimal value greater than 0. Up to four decimals."), in
 * ten-thousandths; a string or a number.
 */
function price(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const m = /^(\d+)(?:\.(\d{1,4}))?$/.exec(text);
  if (!m) return undefined;
  const units = Number(m[1]) * 10000 + Number((m[2] ?? '').padEnd(4, '0'));
  return units > 0 ? units : undefined;
}

/**
 * A `[{warehouse_id, value}]` list (API doc "stock" and "handling_time": warehouse_id an integer,
 * value an integer 0..`max`), merged over the current values per warehouse.
 */
function perWarehouse(
  value: unknown,
  field: string,
  max: number,
  current: Map<number, number>,
): Map<number, number> | string {
  if (!Array.isArray(value) || value.length === 0) return `${field} must be a list of {warehouse_id, value}`;
  const next = new Map(current);
  for (const entry of value) {
    if (!isRecord(entry)) return `${field} must be a list of {warehouse_id, value}`;
    const warehouse = toInt(entry.warehouse_id);
    const v = toInt(entry.value);
    if (warehouse === undefined || warehouse < 1) return `${field}: warehouse_id must be a positive integer`;
    if (v === undefined || v < 0 || v > max) return `${field}: value must be an integer between 0 and ${max}`;
    next.set(warehouse, v);
  }
  return next;
}

/**
 * One offer update, validated as the doc states each key (API doc 2.6 "product_offer/save" key
 * table; 2.6.2 "offer/save": only `id` mandatory, the listed offer keys optional). `required` are
 * the keys `product_offer/save` demands on an update (2.6.1: id, status, sale_price, vat_id,
 * handling_time, stock). Answers the new state or what is wrong.
 */
function applyUpdate(
  call: ApiCall,
  entity: Record<string, unknown>,
  required: readonly string[],
): { id: number; state: OfferState } | { id: unknown; error: string } {
  const id = toInt(entity.id);
  if (id === undefined || id < 1 || id > 16777215)
    return { id: entity.id, error: 'id must be an integer between 1 and 16777215' };
  const item = call.ctx.offers.find(call.account, id);
  // 2.6.2: "cannot be used to create new offers or modify product information".
  if (!item) return { id, error: `Offer ${id}: no such offer; this route only updates existing offers` };
  const missing = required.filter((k) => entity[k] === undefined);
  if (missing.length) return { id, error: `Offer ${id}: missing ${missing.join(', ')}` };
  const current = call.ctx.offers.state(call.account, item);
  const next: OfferState = { ...current, stock: current.stock, handlingTime: current.handlingTime };
  const prices: ['salePrice' | 'recommendedPrice' | 'minPrice' | 'maxPrice', string][] = [
    ['salePrice', 'sale_price'],
    ['recommendedPrice', 'recommended_price'],
    ['minPrice', 'min_sale_price'],
    ['maxPrice', 'max_sale_price'],
  ];
  for (const [key, field] of prices) {
    if (entity[field] === undefined) continue;
    const p = price(entity[field]);
    if (p === undefined)
      return { id, error: `Offer ${id}: ${field} must be a decimal greater than 0 with up to four decimals` };
    next[key] = p;
  }
  // "max_sale_price … Must be greater than min_sale_price."
  if (next.maxPrice <= next.minPrice)
    return { id, error: `Offer ${id}: max_sale_price must be greater than min_sale_price` };
  // "Sale price will be validated against min_sale_price and max_sale_price. Any offer that is not
  // within the specified range will be rejected."
  if (next.salePrice < next.minPrice || next.salePrice > next.maxPrice)
    return {
      id,
      error: `Offer ${id}: sale_price ${fmt4(next.salePrice)} is outside min_sale_price ${fmt4(next.minPrice)} and max_sale_price ${fmt4(next.maxPrice)}`,
    };
  if (entity.recommended_price !== undefined && next.recommendedPrice <= next.salePrice)
    return { id, error: `Offer ${id}: recommended_price must be greater than sale_price` };
  if (entity.status !== undefined) {
    const status = toInt(entity.status);
    if (status === undefined || ![0, 1, 2].includes(status))
      return { id, error: `Offer ${id}: status must be 0, 1 or 2` };
    next.status = status;
  }
  if (entity.vat_id !== undefined) {
    // "vat_id: Seller offer VAT rate id. Use /vat/read to display possible values."
    const vatId = toInt(entity.vat_id);
    const ids = vatRatesAt(call.account.platform, call.ctx.store.anchor).length;
    if (vatId === undefined || vatId < 1 || vatId > ids)
      return {
        id,
        error: `Offer ${id}: vat_id ${JSON.stringify(entity.vat_id)} is not a valid VAT rate id (see vat/read)`,
      };
    next.vatId = vatId;
  }
  if (entity.stock !== undefined) {
    const stock = perWarehouse(entity.stock, 'stock', 65535, current.stock);
    if (typeof stock === 'string') return { id, error: `Offer ${id}: ${stock}` };
    next.stock = stock;
  }
  if (entity.handling_time !== undefined) {
    const handling = perWarehouse(entity.handling_time, 'handling_time', 255, current.handlingTime);
    if (typeof handling === 'string') return { id, error: `Offer ${id}: ${handling}` };
    next.handlingTime = handling;
  }
  return { id, state: next };
}

function record(call: ApiCall, route: string, id: number, state: OfferState): void {
  call.ctx.offers.save(call.account, id, state);
  call.ctx.ledger.record({
    kind: 'offer.saved',
    account: call.account.key,
    target: String(id),
    data: {
      route,
      sale_price: fmt4(state.salePrice),
      status: state.status,
      stock: Object.fromEntries(state.stock),
    },
  });
}

/**
 * `offer/save` and `product_offer/save` on existing offers. A list of at most 50 (API doc 1.5);
 * more is refused whole. Each offer is checked on its own: valid ones are saved, and every invalid
 * one is named in `messages` with `isError: true` (API doc 2.6: "In the event of an documentation
 * error when saving a product, the API will return an isError:true message, but the new offer will
 * be saved and processed" — the other offers of the call are not held back by one bad one).
 */
function saver(route: string, required: readonly string[]) {
  return (call: ApiCall): Envelope => {
    const entities = asEntityList(call.data);
    if (!entities || entities.length === 0) return fail('data must be a list of offers');
    if (entities.length > MAX_SAVE_ENTITIES)
      return fail(`Maximum ${MAX_SAVE_ENTITIES} entities per request; got ${entities.length}`);
    const errors: string[] = [];
    for (const entity of entities) {
      const outcome = applyUpdate(call, entity, required);
      if ('error' in outcome) errors.push(outcome.error);
      else record(call, route, outcome.id, outcome.state);
    }
    return errors.length ? fail(...errors) : ok([]);
  };
}

/**
 * `PATCH offer_stock/{resourceId}` (API doc 3 "Updating stock"): one offer's stock, JSON
 * `{"stock": [{warehouse_id, value}]}` (the body the stock key takes everywhere else; a bare list
 * or `{value}` for warehouse 1 are accepted too).
 */
function offerStock(call: ApiCall): Envelope {
  const id = toInt(call.params.id);
  const body = call.data;
  const stock = Array.isArray(body)
    ? body
    : isRecord(body) && body.stock !== undefined
      ? body.stock
      : isRecord(body) && body.value !== undefined
        ? [{ warehouse_id: 1, value: body.value }]
        : undefined;
  const outcome = applyUpdate(call, { id, stock }, ['stock']);
  if ('error' in outcome) return fail(outcome.error);
  record(call, 'offer_stock', outcome.id, outcome.state);
  return ok([]);
}

export const offerRoutes: readonly ApiRoute[] = [
  { path: 'product_offer/read', group: 'other', handler: read },
  { path: 'product_offer/count', group: 'other', handler: count },
  {
    path: 'product_offer/save',
    group: 'other',
    handler: saver('product_offer/save', ['id', 'status', 'sale_price', 'vat_id', 'handling_time', 'stock']),
  },
  { path: 'offer/save', group: 'other', handler: saver('offer/save', ['id']) },
  { path: 'offer_stock/:id', group: 'other', method: 'PATCH', handler: offerStock },
  { path: 'vat/read', group: 'other', handler: vatRead },
];

/** What a test reads of one account's changed offers (control route). */
export function changedOffers(call: { account: Account; ctx: ApiCall['ctx'] }): unknown[] {
  return call.ctx.offers.changed(call.account).map((c) => ({
    id: c.id,
    saves: c.saves,
    ...(c.savedAt ? { saved_at: new Date(c.savedAt).toISOString() } : {}),
    sale_price: fmt4(c.state.salePrice),
    status: c.state.status,
    stock: Object.fromEntries(c.state.stock),
  }));
}
