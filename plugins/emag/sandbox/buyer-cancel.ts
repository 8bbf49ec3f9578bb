import type { Account } from './accounts.ts';
import type { SandboxContext } from './context.ts';
import { placeOrders } from './new-orders.ts';
import { isCancellationReason } from './order-status.ts';

/**
 * A customer cancelling an order (control route, or the demo timer `extra.buyerCancelEveryMs`).
 *
 * eMAG cancels at a customer's request only an order the seller has not acknowledged yet: API doc
 * "Order notification, acknowledgment and order filters": "Clients may ask for an order to be
 * canceled, this will be done by eMAG only if the order was not acknowledged by the seller, thus
 * some of the orders may be read directly with status 0 (canceled)"; "an order can be modified by
 * eMAG employees upon the client's request as long as it is not acknowledged". So only a new order
 * (status 1) is cancelled this way; from 2 (in progress) and 3 (prepared) the "Order status matrix"
 * lets only the seller cancel (`order/save` status 0, with a reason_cancellation such as 2
 * "Cancelled by the client"), and a finalized order (4) only within 48 h.
 *
 * Without an order id the newest new order of the account is cancelled; when every order is
 * acknowledged already (a seller acknowledging at once), a new order is placed and cancelled before
 * anyone could acknowledge it: the seller reads it "directly with status 0". Its new-order
 * notification still goes out, as eMAG sent it when the order was placed.
 */
export interface CustomerCancelRequest {
  orderId?: number;
  /** reason_cancellation; default: one of the customers' reasons in turn. */
  reason?: number;
}

export type CustomerCancelOutcome =
  | { ok: true; orderId: number; reason: number; placed: boolean }
  | { ok: false; status: 404 | 422; message: string };

/** reason_cancellation codes that say the customer asked (API doc "Order fields"). */
export const CUSTOMER_REASONS = [2, 23, 24, 36, 38] as const;

export async function cancelAsCustomer(
  ctx: SandboxContext,
  account: Account,
  request: CustomerCancelRequest,
): Promise<CustomerCancelOutcome> {
  const turn = ctx.ledger.effects('order.cancelled_by_customer').length;
  const reason = request.reason ?? CUSTOMER_REASONS[turn % CUSTOMER_REASONS.length]!;
  if (!isCancellationReason(reason))
    return {
      ok: false,
      status: 422,
      message: `${reason} is not a reason_cancellation eMAG knows (1-3 or 15-43).`,
    };
  const acc = ctx.store.of(account);
  const cancel = (index: number) => {
    const now = ctx.now();
    ctx.store.mutate(acc, index, {
      status: 0,
      statusChangedAt: now,
      modified: now,
      reasonCancellation: reason,
    });
    const orderId = ctx.store.id(acc, index);
    ctx.ledger.record({
      kind: 'order.cancelled_by_customer',
      account: account.key,
      target: String(orderId),
      data: { from: 1, reason },
    });
    return orderId;
  };

  if (request.orderId !== undefined) {
    const index = ctx.store.find(acc, request.orderId);
    if (index < 0)
      return { ok: false, status: 404, message: `No order ${request.orderId} on ${account.key}.` };
    const status = ctx.store.header(acc, index).status;
    if (status !== 1)
      return {
        ok: false,
        status: 422,
        message:
          `Order ${request.orderId} is in status ${status}, not new (1): eMAG cancels at a customer's request ` +
          'only orders the seller has not acknowledged; after that only the seller cancels (order/save).',
      };
    return { ok: true, orderId: cancel(index), reason, placed: false };
  }
  const headers = ctx.store.arrays(acc);
  for (let i = acc.count - 1; i >= 0; i--)
    if (headers.status[i] === 1) return { ok: true, orderId: cancel(i), reason, placed: false };
  let orderId = 0;
  await placeOrders(ctx, account, { count: 1, beforeNotice: (index) => (orderId = cancel(index)) });
  return { ok: true, orderId, reason, placed: true };
}
