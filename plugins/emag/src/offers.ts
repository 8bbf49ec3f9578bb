import type {
  JobInput,
  JobOutput,
  MarketplaceOffer,
  OfferPush,
  OfferPushResult,
  PluginContext,
} from '@mch/plugin-sdk';
import { emag, EmagRefused } from './emag-api.ts';
import { enabled, type EmagSettings } from './types.ts';

/** API doc 1.3: reads page with `itemsPerPage`, "Maximum is set to 100". */
export const READ_PAGE = 100;
/** API doc 1.5: "For API resources that accept bulk save, the limit is 50 entities per request." */
export const SAVE_BATCH = 50;
/** Saves in flight at once: the host's limiter spaces them; overlapping hides each call's latency. */
const PUSHERS = 3;
const VAT_KEY = 'offers.vatRates';

interface EmagOffer {
  id: number | string;
  name?: string;
  part_number?: string | null;
  ean?: string[] | string | null;
  sale_price?: string | number | null;
  min_sale_price?: string | number | null;
  max_sale_price?: string | number | null;
  currency?: string | null;
  vat_id?: number | string | null;
  status?: number | string;
  stock?: { warehouse_id: number | string; value: number | string }[];
  general_stock?: number | string | null;
}

interface VatRate {
  vat_id: number | string;
  vat_rate: string | number;
}

/** Settings of the offers flow (manifest "Offers" group). */
interface OfferSettings extends EmagSettings {
  syncOffers?: boolean;
  importProductsFromOffers?: boolean;
  offerStockBuffer?: number;
  offerWarehouseId?: number;
}

/** "0.2100" (eMAG's fraction) → "21.00" (percent, as the host keeps rates). */
const percent = (fraction: string | number) => (Number(fraction) * 100).toFixed(2);
const decimal = (v: string | number | null | undefined) =>
  v === undefined || v === null || v === '' ? null : String(v);

/** eMAG's VAT ids and rates (`vat/read`, API doc 2.2), read once per offers read and kept. */
async function vatRates(ctx: PluginContext): Promise<Map<string, number>> {
  const rates = await emag<VatRate[]>(ctx, { path: 'vat/read', idempotent: true });
  const byRate = new Map(
    (Array.isArray(rates) ? rates : []).map((r) => [percent(r.vat_rate), Number(r.vat_id)]),
  );
  await ctx.store.set(VAT_KEY, Object.fromEntries(byRate));
  return byRate;
}

export function toMarketplaceOffer(
  o: EmagOffer,
  rateOfId: Map<number, string>,
  warehouse: number,
): MarketplaceOffer {
  const eans = Array.isArray(o.ean) ? o.ean : o.ean ? [o.ean] : [];
  const stock = o.stock?.find((s) => Number(s.warehouse_id) === warehouse)?.value ?? o.general_stock;
  const vatId = o.vat_id === undefined || o.vat_id === null ? undefined : Number(o.vat_id);
  return {
    externalId: String(o.id),
    name: String(o.name ?? ''),
    // eMAG has no seller SKU besides the part number; order lines carry it as the SKU too.
    sku: o.part_number ?? null,
    partNumber: o.part_number ?? null,
    ean: eans[0] ?? null,
    price: decimal(o.sale_price),
    minPrice: decimal(o.min_sale_price),
    maxPrice: decimal(o.max_sale_price),
    currency: o.currency ?? null,
    vatRate: vatId === undefined ? null : (rateOfId.get(vatId) ?? null),
    stock: stock === undefined || stock === null ? null : Number(stock),
    active: o.status === undefined ? null : Number(o.status) === 1,
    data: { vatId: vatId ?? null },
  };
}

/**
 * The offers job (reconciliation): every page of `product_offer/read` (API doc 2.8), each stored
 * and linked to a product by part number, EAN or SKU; unmatched offers become products when
 * `importProductsFromOffers` is on. Offers whose values drifted from the last push are pushed
 * again: the run ends by starting the push job.
 */
export async function syncOffers(ctx: PluginContext, input: JobInput): Promise<JobOutput> {
  const settings = ctx.settings as unknown as OfferSettings;
  if (!enabled(settings.syncOffers)) return { counts: {} };
  const warehouse = settings.offerWarehouseId ?? 1;
  const byRate = await vatRates(ctx);
  const rateOfId = new Map([...byRate].map(([rate, id]) => [id, rate]));
  const counts = { offers: 0, added: 0, linked: 0, created: 0, conflicts: 0, drifted: 0 };
  const readPage = (page: number) =>
    emag<EmagOffer[]>(ctx, {
      path: 'product_offer/read',
      data: { currentPage: page, itemsPerPage: READ_PAGE },
      idempotent: true,
    });
  let next: Promise<EmagOffer[]> | undefined = readPage(1);
  next.catch(() => undefined);
  for (let page = 1; next; page++) {
    ctx.signal.throwIfAborted();
    const offers: EmagOffer[] = await next;
    const list: EmagOffer[] = Array.isArray(offers) ? offers : [];
    // A full page means more may follow: read it while this one is stored.
    next = list.length < READ_PAGE ? undefined : readPage(page + 1);
    next?.catch(() => undefined);
    const outcome = await ctx.offers.record(
      list.map((o) => toMarketplaceOffer(o, rateOfId, warehouse)),
      {
        importProducts: enabled(settings.importProductsFromOffers),
        // With a stock buffer the offer should show less than the stock it was made from.
        adoptedInStep: (settings.offerStockBuffer ?? 0) === 0,
      },
    );
    counts.offers += list.length;
    for (const k of ['added', 'linked', 'created', 'conflicts', 'drifted'] as const) counts[k] += outcome[k];
    ctx.progress(counts.offers);
  }
  ctx.log.info({ ...counts, trigger: input.trigger }, 'eMAG offers read');
  return { counts, trigger: [{ jobId: 'push-offers' }] };
}

/** The offer fields one push sends, and what is refused before sending. */
export function offerUpdate(
  p: OfferPush,
  options: { buffer: number; warehouse: number; vatIds: Map<string, number> },
): { entity: Record<string, unknown>; pushed: Record<string, unknown>; errors: string[] } {
  const stock = Math.min(65535, Math.max(0, p.stock - options.buffer));
  const entity: Record<string, unknown> = {
    id: Number(p.externalId),
    status: p.active ? 1 : 0,
    stock: [{ warehouse_id: options.warehouse, value: stock }],
  };
  const pushed: Record<string, unknown> = { stock, status: entity.status };
  const errors: string[] = [];
  if (p.price !== null) {
    const price = Number(p.price);
    const min = p.minPrice === null ? undefined : Number(p.minPrice);
    const max = p.maxPrice === null ? undefined : Number(p.maxPrice);
    // API doc 2.6: "Sale price will be validated against min_sale_price and max_sale_price. Any offer
    // that is not within the specified range will be rejected" — refused here, before sending.
    if ((min !== undefined && price < min) || (max !== undefined && price > max)) {
      const cur = p.currency ? ` ${p.currency}` : '';
      errors.push(
        `Price ${price.toFixed(4)}${cur} was not sent: eMAG accepts only prices between ${min?.toFixed(4) ?? '—'} and ${max?.toFixed(4) ?? '—'}${cur} for this offer. Change the price, or the offer's minimum and maximum price on eMAG.`,
      );
    } else {
      entity.sale_price = price.toFixed(4);
      pushed.price = entity.sale_price;
    }
  }
  const vatId = options.vatIds.get(Number(p.vatRate).toFixed(2));
  if (vatId === undefined) {
    if (Number(p.vatRate) > 0 && options.vatIds.size > 0)
      errors.push(
        `VAT ${Number(p.vatRate)} % was not sent: eMAG offers only ${[...options.vatIds.keys()].map((r) => `${Number(r)} %`).join(', ')}. Change the product's VAT rate.`,
      );
  } else if (vatId !== Number(p.data.vatId ?? vatId)) {
    entity.vat_id = vatId;
    pushed.vatId = vatId;
  }
  return { entity, pushed, errors };
}

/** "Offer 1234: …" — the offers eMAG's messages name. */
function byOffer(messages: string[]): Map<string, string[]> {
  const named = new Map<string, string[]>();
  for (const m of messages) {
    const id = /\boffer\s+(\d+)/i.exec(m)?.[1];
    if (id) named.set(id, [...(named.get(id) ?? []), m]);
  }
  return named;
}

/**
 * The push job: linked offers whose product changed since their last push, in saves of 50
 * (`offer/save`, API doc 2.6.2: only the offer keys sent change; stock per warehouse), three in
 * flight; the host's limiter keeps them within the 3 req/s every non-order route shares. An offer
 * is never in two saves at once, and a push is recorded only for the product version it sent, so a
 * change made meanwhile is pushed by the next round (the loop runs until nothing is pending).
 */
export async function pushOffers(ctx: PluginContext, input: JobInput): Promise<JobOutput> {
  const settings = ctx.settings as unknown as OfferSettings;
  if (!enabled(settings.syncOffers)) return { counts: {} };
  const stored = (await ctx.store.get<Record<string, number>>(VAT_KEY)) ?? {};
  const options = {
    buffer: Math.max(0, settings.offerStockBuffer ?? 0),
    warehouse: settings.offerWarehouseId ?? 1,
    vatIds: new Map(Object.entries(stored).map(([rate, id]) => [rate, Number(id)])),
  };
  const counts = { pushed: 0, refused: 0, saves: 0 };
  const inFlight = new Set<string>();
  const failed = new Set<string>();
  let queue: OfferPush[] = [];
  let refilling: Promise<void> | undefined;

  const take = async (): Promise<OfferPush[]> => {
    while (queue.length === 0) {
      if (!refilling) {
        refilling = ctx.offers
          .pending(SAVE_BATCH * PUSHERS, { exclude: [...inFlight, ...failed] })
          .then((rows) => {
            queue = rows;
          })
          .finally(() => (refilling = undefined));
      }
      await refilling;
      if (queue.length === 0) return [];
    }
    const chunk = queue.splice(0, SAVE_BATCH);
    for (const p of chunk) inFlight.add(p.externalId);
    return chunk;
  };

  const send = async (chunk: OfferPush[]) => {
    const updates = chunk.map((p) => ({ p, ...offerUpdate(p, options) }));
    const results: OfferPushResult[] = [];
    try {
      await emag(ctx, { path: 'offer/save', data: updates.map((u) => u.entity) });
      for (const u of updates)
        results.push({
          externalId: u.p.externalId,
          version: u.p.version,
          pushed: u.pushed,
          answer: { isError: false },
          ...(u.errors.length ? { error: u.errors.join(' ') } : {}),
        });
    } catch (error) {
      if (!(error instanceof EmagRefused)) {
        for (const p of chunk) inFlight.delete(p.externalId);
        throw error;
      }
      const named = byOffer(error.messages);
      for (const u of updates) {
        const own = named.get(u.p.externalId);
        if (named.size === 0) {
          // Not attributable to one offer: recorded as an error, pushed again by a later run.
          failed.add(u.p.externalId);
          results.push({
            externalId: u.p.externalId,
            version: null,
            answer: { isError: true, messages: error.messages },
            error: `eMAG refused the update: ${error.messages.join('; ') || 'no reason given'}`,
          });
        } else if (own) {
          counts.refused++;
          results.push({
            externalId: u.p.externalId,
            version: u.p.version,
            answer: { isError: true, messages: own },
            error: `eMAG refused the update: ${own.join('; ')}`,
          });
        } else {
          // eMAG saves the valid offers of a call and names the invalid ones (API doc 2.6).
          results.push({
            externalId: u.p.externalId,
            version: u.p.version,
            pushed: u.pushed,
            answer: { isError: false },
            ...(u.errors.length ? { error: u.errors.join(' ') } : {}),
          });
        }
      }
    }
    // Recorded before the offers may be taken again: a second save of the same version is avoided.
    await ctx.offers.pushed(results);
    for (const p of chunk) inFlight.delete(p.externalId);
    counts.saves++;
    counts.pushed += results.filter((r) => r.pushed).length;
    counts.refused += updates.filter((u) => u.errors.length).length;
    ctx.progress(counts.pushed);
  };

  const worker = async () => {
    for (;;) {
      ctx.signal.throwIfAborted();
      const chunk = await take();
      if (chunk.length === 0) return;
      await send(chunk);
    }
  };
  await Promise.all(Array.from({ length: PUSHERS }, worker));
  ctx.log.info({ ...counts, trigger: input.trigger }, 'eMAG offers pushed');
  return { counts };
}
