import { ConfigError, RefusedError, type PluginContext } from '@mch/plugin-sdk';
import { emag, refusedByEmag } from './emag-api.ts';
import { importOrders, readOrders } from './orders.ts';
import { orderCurrency } from './invoice-lines.ts';

export const CANCEL_OPERATION = 'order-cancel';

/** reason_cancellation codes and their words (API doc "Order fields", reason_cancellation). */
export const CANCELLATION_REASONS: Readonly<Record<number, string>> = {
  1: 'Out of stock',
  2: 'Cancelled by the client',
  3: 'The client can not be contacted',
  15: 'Courier delivery term is too large',
  16: 'Transport tax is too large',
  17: 'Large delivery term, until the product will arrive in our warehouse',
  18: 'Better offer in another store',
  19: 'Payment order has not been paid',
  20: 'Undelivered order, courier reasons',
  21: 'Others',
  22: 'Order incomplete - automatic cancellation',
  23: 'The customer changed his mind',
  24: 'By customer request',
  25: 'Failed delivery',
  26: 'Late shipment',
  27: 'Irrelevant order',
  28: 'Canceled by SuperAdmin on seller request',
  29: 'Blacklisted customer',
  30: 'No VAT invoice',
  31: 'The eMAG Marketplace partner requested the order cancellation',
  32: 'The delivery estimate is too long',
  33: 'The product is no longer available in the stock of the eMAG Marketplace partner',
  34: 'Other reasons',
  35: 'The delivery is too expensive',
  36: 'The customer found a better price elsewhere',
  37: 'The customer registered another eMAG order with a similar product',
  38: 'The customer changed his mind, does not need the product',
  39: 'The customer can purchase the product only by installments',
  40: 'Other reasons EIS',
  41: 'Out of stock - instalments',
  42: 'The product is no longer available in the stock of the eMAG Marketplace partner - instalments',
  43: 'The delivery estimate is too long',
};

/** reason_cancellation codes eMAG accepts (API doc "Order fields": 1–3 and 15–43). */
export function isCancellationReason(code: number): boolean {
  return Number.isInteger(code) && CANCELLATION_REASONS[code] !== undefined;
}

/** Statuses an order may be cancelled from (API doc "Order status matrix": 2, 3; 4 within 48 h). */
const CANCELLABLE = new Set([2, 3, 4]);
const ORDER_STATUS: Record<number, string> = {
  0: 'canceled',
  1: 'new',
  2: 'in progress',
  3: 'prepared',
  4: 'finalized',
  5: 'returned',
};

/**
 * Cancels a seller order with a reason code: `order/save` with `status: 0` and
 * `reason_cancellation` (API doc 5.5 "Updating orders"), once per order (outbound operation), then
 * re-reads it so its invoice is cancelled through the mapping. The save carries the whole order as
 * just read, every product included: eMAG wants "ALL the fields initially read", and a product
 * left out is removed from the order (5.5.1; reference README "eMAG"). Refused before any change
 * when the code (400) or the order's status (409) does not allow it; a refusal by eMAG's rules comes
 * back as a clear error (409), eMAG's words included.
 */
export async function cancelOrder(
  ctx: PluginContext,
  input: { orderId: string | number; reason: number },
): Promise<Record<string, unknown>> {
  const orderId = String(input.orderId);
  if (!/^\d{1,15}$/.test(orderId))
    throw new ConfigError('orderId must be an eMAG order id', { pointer: '/orderId' });
  if (!isCancellationReason(input.reason))
    throw new ConfigError(
      `${String(input.reason)} is not one of eMAG's cancellation reasons; pick one of its list (1–3 or 15–43, e.g. 1 "Out of stock", 2 "Cancelled by the client").`,
      {
        pointer: '/reason',
      },
    );
  const [order] = await readOrders(ctx, { id: orderId, type: 3 });
  if (!order)
    throw new ConfigError(
      `Order ${orderId} is not a seller-fulfilled order of this account (only type 3 orders can be cancelled by the seller).`,
    );
  if (order.status !== 0 && !CANCELLABLE.has(order.status))
    throw new RefusedError(
      `Order ${orderId} is ${ORDER_STATUS[order.status] ?? `in status ${order.status}`}; eMAG allows cancelling only orders in progress or prepared, or finalized within 48 hours (a new order is acknowledged first).`,
    );
  const outcome = await ctx.outbound.once(
    { kind: CANCEL_OPERATION, key: orderId, payload: { reason: input.reason, from: order.status } },
    async () => {
      if (order.status !== 0)
        await emag(ctx, {
          path: 'order/save',
          data: [{ ...order, status: 0, reason_cancellation: input.reason }],
        }).catch((error: unknown) => {
          throw refusedByEmag(
            error,
            `cancel order ${orderId}`,
            'The order stays as it is on eMAG; check its status and payment method in the eMAG seller portal.',
          );
        });
      return { orderId, reason: input.reason, from: order.status };
    },
  );
  // Re-read and imported: an invoiced order gets its correction to zero from the host (issued once).
  const [after] = await readOrders(ctx, { id: orderId, type: 3 });
  if (after) await importOrders(ctx, [after]);
  const corrections = await ctx.corrections.of(orderId);
  return {
    ...(outcome.result as object),
    reasonText: CANCELLATION_REASONS[input.reason],
    status: after?.status ?? 0,
    outcome: outcome.status,
    correction: corrections.at(-1) ?? null,
  };
}

/**
 * The order as the console's order page shows it (manifest subject `order`/`get`): its status now,
 * so the page offers "Cancel order" only while eMAG allows it, and its products. A seller order
 * (type 3) is read first, then one fulfilled by eMAG (type 2).
 */
export async function getOrder(
  ctx: PluginContext,
  input: { orderId: string | number },
): Promise<Record<string, unknown>> {
  const orderId = String(input.orderId);
  if (!/^\d{1,15}$/.test(orderId))
    throw new ConfigError('orderId must be an eMAG order id', { pointer: '/orderId' });
  const order =
    (await readOrders(ctx, { id: orderId, type: 3 }))[0] ??
    (await readOrders(ctx, { id: orderId, type: 2 }))[0];
  if (!order) throw new ConfigError(`eMAG has no order ${orderId} on this account.`, { pointer: '/orderId' });
  const products = ((order.products ?? []) as Record<string, unknown>[]).filter(
    (p) => Number(p.status ?? 1) === 1,
  );
  const customer = (order.customer ?? {}) as Record<string, unknown>;
  const currency = orderCurrency(order, ctx.settings);
  return {
    item: {
      id: order.id,
      status: order.status,
      statusLabel: ORDER_STATUS[order.status] ?? `status ${order.status}`,
      buyer: typeof customer.name === 'string' ? customer.name : null,
      currency,
      fulfilledBy: order.type === 2 ? 'eMAG' : 'seller',
      lines: products.map((p, i) => {
        const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
        return `${i + 1}. ${text(p.quantity) || '1'} × ${text(p.name) || text(p.part_number)} at ${currency} ${text(p.sale_price) || '?'} (net)`;
      }),
    },
  };
}
