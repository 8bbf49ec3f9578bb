import type { PluginContext, RecordInput } from '@mch/plugin-sdk';
import { emag, EmagRefused } from './emag-api.ts';
import { invoiceLines } from './invoice-lines.ts';
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

export async function readOrders(ctx: PluginContext, filters: Record<string, unknown>): Promise<EmagOrder[]> {
  return emag<EmagOrder[]>(ctx, { path: 'order/read', data: filters, idempotent: true });
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
 * page, not per order: the same filters and page return the same ids (ascending), now updated.
 */
export async function acknowledgePage(
  ctx: PluginContext,
  orders: EmagOrder[],
  reread: () => Promise<EmagOrder[]>,
): Promise<{ orders: EmagOrder[]; acknowledged: number }> {
  const settings = ctx.settings as unknown as EmagSettings;
  const fresh = orders.filter((o) => o.status === 1 && o.type === 3);
  if (fresh.length === 0 || !enabled(settings.autoAcknowledge)) return { orders, acknowledged: 0 };
  for (const order of fresh) await acknowledge(ctx, order.id);
  const again = new Map((await reread()).map((o) => [o.id, o]));
  return { orders: orders.map((o) => again.get(o.id) ?? o), acknowledged: fresh.length };
}

/** Orders that become (or change) invoices: everything but new, unacknowledged ones, with their lines. */
export function toRecords(orders: readonly EmagOrder[]): RecordInput[] {
  return orders
    .filter((o) => o.status !== 1)
    .map((o) => ({
      externalId: String(o.id),
      revision: `${o.status}:${o.modified}`,
      data: { ...o, invoiceLines: invoiceLines(o) },
    }));
}

export async function importOrders(ctx: PluginContext, orders: readonly EmagOrder[]): Promise<number> {
  const records = toRecords(orders);
  if (records.length) await ctx.records.upsertMany('invoice', records);
  return records.length;
}
