import { ConfigError, type PluginContext } from '@mch/plugin-sdk';
import { emag, refusedByEmag } from './emag-api.ts';
import { importOrders, readOrders } from './orders.ts';

export const CANCEL_OPERATION = 'order-cancel';

/** reason_cancellation codes eMAG accepts (API doc "Order fields": 1–3 and 15–43). */
export function isCancellationReason(code: number): boolean {
  return Number.isInteger(code) && ((code >= 1 && code <= 3) || (code >= 15 && code <= 43));
}

/** Statuses an order may be cancelled from (API doc "Order status matrix": 2, 3; 4 within 48 h). */
const CANCELLABLE = new Set([2, 3, 4]);

/**
 * Cancels a seller order with a reason code: `order/save` with `status: 0` and
 * `reason_cancellation` (API doc 5.5 "Updating orders"), once per order (outbound operation), then
 * re-reads it so its invoice is cancelled through the mapping. The save carries the whole order as
 * just read, every product included: eMAG wants "ALL the fields initially read", and a product
 * left out is removed from the order (5.5.1; reference README "eMAG"). Refused before any change
 * when the code or the order's status does not allow it; a refusal by eMAG's rules comes back as
 * a clear error (400), eMAG's words included.
 */
export async function cancelOrder(
  ctx: PluginContext,
  input: { orderId: string | number; reason: number },
): Promise<Record<string, unknown>> {
  const orderId = String(input.orderId);
  if (!/^\d{1,15}$/.test(orderId))
    throw new ConfigError('orderId must be an eMAG order id', { pointer: '/orderId' });
  if (!isCancellationReason(input.reason))
    throw new ConfigError('reason must be an eMAG cancellation reason code (1–3 or 15–43)', {
      pointer: '/reason',
    });
  const [order] = await readOrders(ctx, { id: orderId, type: 3 });
  if (!order)
    throw new ConfigError(
      `Order ${orderId} is not a seller-fulfilled order of this account (only type 3 orders can be cancelled by the seller).`,
    );
  if (order.status !== 0 && !CANCELLABLE.has(order.status))
    throw new ConfigError(`Order ${orderId} has status ${order.status} and cannot be cancelled.`);
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
  const [after] = await readOrders(ctx, { id: orderId, type: 3 });
  if (after) await importOrders(ctx, [after]);
  return { ...(outcome.result as object), status: after?.status ?? 0, outcome: outcome.status };
}
