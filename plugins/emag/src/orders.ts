import type { PluginContext, RecordInput } from '@mch/plugin-sdk';
import { emag, EmagRefused } from './emag-api.ts';
import { invoiceLines, orderCurrency } from './invoice-lines.ts';
import { enabled, type EmagOrder, type EmagSettings } from './types.ts';

/** Reads page at most 100 orders (API doc "Reading orders": itemsPerPage ≤ 100). */
export const PAGE = 100;
export const ACKNOWLEDGE_OPERATION = 'order-acknowledge';

/**
 * Order types to read: `order/read` defaults to type 3 (fulfilled by the seller); an FBE account
 * also holds type 2 orders (fulfilled by eMAG), which the seller still invoices.
 */
export function orderTypes(settings: EmagSettings): number[] {
  return settings.accountType === 'fbe' ? [2, 3] : [3];
}

/**
 * `order/read`, newest first (API doc 5.3: "we expose the last 100 orders"). The keys this plugin
 * decides on are read as numbers whatever eMAG wrote them as (reference README "eMAG": numbers
 * and strings both occur; ids exceed 2^31, still exact as JS numbers); the rest stays as read,
 * since a save must send the order back as it was read (API doc 5.5).
 */
export async function readOrders(ctx: PluginContext, filters: Record<string, unknown>): Promise<EmagOrder[]> {
  const orders = await emag<EmagOrder[] | null>(ctx, { path: 'order/read', data: filters, idempotent: true });
  return (Array.isArray(orders) ? orders : []).map((o) => ({
    ...o,
    id: Number(o.id),
    status: Number(o.status),
    type: Number(o.type),
    modified: String(o.modified ?? o.date ?? ''),
  }));
}

/**
 * `order/acknowledge/{id}` moves a new order (1) to in progress (2) and stops eMAG's
 * notifications (API doc "Order notification, acknowledgment"). Recorded as an outbound operation;
 * a repeat is harmless on eMAG's side, so the host may retry it.
 */
export async function acknowledge(ctx: PluginContext, orderId: number): Promise<void> {
  await ctx.outbound.once({ kind: ACKNOWLEDGE_OPERATION, key: String(orderId) }, async () => {
    try {
      await emag(ctx, { path: `order/acknowledge/${orderId}`, idempotent: true });
      return { acknowledged: true };
    } catch (error) {
      // eMAG refuses to acknowledge an order the buyer cancelled meanwhile (API doc: orders may
      // be cancelled until acknowledged): that is the order's final answer, recorded as such; the
      // re-read shows its status.
      if (error instanceof EmagRefused) return { acknowledged: false, refused: error.messages };
      throw error;
    }
  });
}

/**
 * Acknowledges the page's new seller orders, then reads the page again: eMAG may change an order
 * until it is acknowledged (API doc: "re-read the order after acknowledging it"). One re-read per
 * page, not per order; reads come newest first, so an order that arrived meanwhile shifts the
 * page: an acknowledged order the re-read no longer holds is read by its id.
 */
export async function acknowledgePage(
  ctx: PluginContext,
  orders: EmagOrder[],
  reread: () => Promise<EmagOrder[]>,
  /** `acknowledgeNew` running beside the pass: waited for, and its orders not counted again. */
  early?: Promise<Set<number>>,
): Promise<{ orders: EmagOrder[]; acknowledged: number }> {
  const settings = ctx.settings as unknown as EmagSettings;
  const fresh = orders.filter((o) => o.status === 1 && o.type === 3);
  if (fresh.length === 0 || !enabled(settings.autoAcknowledge)) return { orders, acknowledged: 0 };
  const done = (await early) ?? new Set<number>();
  // All at once: the rate limiter spaces them; one after another, a page's acknowledgements would
  // wait behind every other request of the account in turn.
  await Promise.all(fresh.map((order) => acknowledge(ctx, order.id)));
  const again = new Map((await reread()).map((o) => [o.id, o]));
  const shifted = fresh.filter((o) => !again.has(o.id));
  await Promise.all(
    shifted.map(async (o) => {
      const [one] = await readOrders(ctx, { id: o.id, type: o.type });
      if (one) again.set(one.id, one);
    }),
  );
  return {
    orders: orders.map((o) => again.get(o.id) ?? o),
    acknowledged: fresh.filter((o) => !done.has(o.id)).length,
  };
}

/**
 * Acknowledges the account's new seller orders (`status: 1`) at the start of a sync, beside the
 * pass that reads everything (API doc: "acknowledge the order prior the read or re-read the order
 * after acknowledging it"): a page read after it finished holds them acknowledged and needs no
 * re-read, and their acknowledgements do not wait for the page they fall on (new orders are the
 * latest: the last page). Acknowledged orders leave the `status: 1` list, so its first page is read
 * until it holds nothing not tried yet. Returns the orders tried.
 */
export async function acknowledgeNew(ctx: PluginContext): Promise<Set<number>> {
  const tried = new Set<number>();
  for (;;) {
    const page = await readOrders(ctx, { currentPage: 1, itemsPerPage: PAGE, type: 3, status: 1 });
    const fresh = page.filter((o) => o.status === 1 && !tried.has(o.id));
    for (const o of fresh) tried.add(o.id);
    await Promise.all(fresh.map((order) => acknowledge(ctx, order.id)));
    if (fresh.length === 0 || page.length < PAGE) return tried;
  }
}

/**
 * Orders that become (or change) invoices: everything but new, unacknowledged ones, with their
 * lines and currency (`invoiceLines`, `invoiceCurrency`: eMAG states no order-level currency).
 */
export function toRecords(orders: readonly EmagOrder[], settings: unknown): RecordInput[] {
  return orders
    .filter((o) => o.status !== 1)
    .map((o) => ({
      externalId: String(o.id),
      revision: `${o.status}:${o.modified}`,
      data: {
        ...o,
        invoiceCurrency: orderCurrency(o, settings),
        invoiceLines: invoiceLines(o, { settings }),
      },
    }));
}

export async function importOrders(ctx: PluginContext, orders: readonly EmagOrder[]): Promise<number> {
  const records = toRecords(orders, ctx.settings);
  if (records.length) await ctx.records.upsertMany('invoice', records);
  return records.length;
}
