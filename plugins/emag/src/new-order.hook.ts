import type { PluginContext, WebhookInput, WebhookOutput } from '@mch/plugin-sdk';
import { attachBatch, orderTypeLookup } from './invoice-attach.ts';
import { acknowledgePage, importOrders, orderTypes, readOrders } from './orders.ts';
import { enabled, type EmagOrder, type EmagSettings } from './types.ts';

/**
 * eMAG's new-order notification: `GET <callback url>?order_id=N` (API doc "Order notification").
 * The order is pulled at once: read, acknowledged, read again, invoiced and its invoice attached.
 * The URL is per integration and unguessable (the host signs it); eMAG only needs a 200.
 */
export async function onNewOrder(ctx: PluginContext, input: WebhookInput): Promise<WebhookOutput> {
  const settings = ctx.settings as unknown as EmagSettings;
  const raw = input.query.order_id ?? '';
  if (!/^\d{1,15}$/.test(raw))
    return { status: 400, body: { error: 'order_id must be the numeric id of an eMAG order' } };
  if (!enabled(settings.importOrders)) return { status: 200, body: { ok: true, pulled: false } };
  let found: EmagOrder | undefined;
  let filters: Record<string, unknown> = {};
  for (const type of orderTypes(settings)) {
    filters = { id: raw, type };
    [found] = await readOrders(ctx, filters);
    if (found) break;
  }
  if (!found) return { status: 404, body: { error: `order ${raw} was not found on this account` } };
  const { orders } = await acknowledgePage(ctx, [found], () => readOrders(ctx, filters));
  await importOrders(ctx, orders);
  const invoice =
    enabled(settings.autoGenerateInvoices) && enabled(settings.sendInvoices)
      ? (await ctx.invoices.without('invoice-attach', 1000)).find((i) => i.externalOrderId === raw)
      : undefined;
  if (invoice) {
    const known = new Map([[raw, orders[0]!.type]]);
    await attachBatch(ctx, [invoice], orderTypeLookup(ctx, known));
  }
  return { status: 200, body: { ok: true, pulled: true, status: orders[0]!.status } };
}
