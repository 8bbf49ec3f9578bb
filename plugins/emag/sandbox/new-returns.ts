import type { Account } from './accounts.ts';
import type { SandboxContext } from './context.ts';

/**
 * Customers opening returns while the sandbox runs (control route, or the demo timer
 * `extra.newReturnsEveryMs`), so a newcomer always finds a new return to act on. A return is
 * opened on a finalized order (status 4: delivered; API doc "Order status matrix" and "Processing
 * return requests": a new request has request_status 2), for products the order holds, at most the
 * quantity sold.
 */
export interface OpenReturnRequest {
  orderId?: number;
  /** By the order's product line id (`products[].id`); default: its first active product, 1 unit. */
  products?: { id: number; quantity: number }[];
}

export type OpenReturnOutcome =
  { ok: true; emagId: number; orderId: number } | { ok: false; status: 404 | 422; message: string };

export function openReturn(
  ctx: SandboxContext,
  account: Account,
  request: OpenReturnRequest,
): OpenReturnOutcome {
  const acc = ctx.store.of(account);
  let orderIndex = -1;
  if (request.orderId !== undefined) {
    orderIndex = ctx.store.find(acc, request.orderId);
    if (orderIndex < 0)
      return { ok: false, status: 404, message: `No order ${request.orderId} on ${account.key}.` };
  } else {
    // The newest finalized order, skipping ones that already have an opened return.
    for (let i = acc.count - 1; i >= 0 && orderIndex < 0; i--) {
      if (ctx.store.header(acc, i).status !== 4) continue;
      const taken = Array.from({ length: ctx.rmas.count(account) }, (_, j) =>
        ctx.rmas.header(account, j),
      ).some((h) => h.orderIndex === i);
      if (!taken) orderIndex = i;
    }
    if (orderIndex < 0)
      return { ok: false, status: 404, message: `No finalized order to return on ${account.key}.` };
  }
  if (ctx.store.header(acc, orderIndex).status !== 4)
    return {
      ok: false,
      status: 422,
      message: `Order ${ctx.store.id(acc, orderIndex)} is not finalized; customers return delivered (status 4) orders.`,
    };
  const order = ctx.store.order(acc, orderIndex);
  const lines = order.products as { id: number; status: number; quantity: number }[];
  const wanted = request.products ?? [{ id: lines.find((l) => Number(l.status) === 1)!.id, quantity: 1 }];
  const products: { line: number; quantity: number }[] = [];
  for (const w of wanted) {
    const line = lines.findIndex((l) => Number(l.id) === w.id && Number(l.status) === 1);
    if (line < 0)
      return { ok: false, status: 422, message: `Order ${String(order.id)} has no product line ${w.id}.` };
    if (w.quantity < 1 || w.quantity > Number(lines[line]!.quantity))
      return {
        ok: false,
        status: 422,
        message: `Product line ${w.id} sold ${lines[line]!.quantity}; ${w.quantity} cannot be returned.`,
      };
    products.push({ line, quantity: w.quantity });
  }
  const index = ctx.rmas.open(account, { orderIndex, createdAt: ctx.now(), products });
  const emagId = ctx.rmas.header(account, index).emagId;
  ctx.ledger.record({ kind: 'rma.opened', account: account.key, target: String(emagId) });
  return { ok: true, emagId, orderId: Number(order.id) };
}
