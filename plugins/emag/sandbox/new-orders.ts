import type { Account } from './accounts.ts';
import { notifyNewOrder, type CallbackOutcome } from './callback.ts';
import type { SandboxContext } from './context.ts';

/**
 * Placing new orders while the sandbox runs (control endpoint, or a timer in demo mode) and
 * the new-order notification that goes with them. eMAG keeps notifying until the order is
 * acknowledged (API doc: acknowledging "stops the order notification system for the
 * mentioned order"); with a retry interval the sandbox does the same.
 */
export interface PendingNotice {
  account: Account;
  index: number;
  orderId: number;
  attempts: number;
}

export interface PlaceOptions {
  count: number;
  type?: 2 | 3;
  paymentModeId?: 1 | 2 | 3;
  /** Runs on each new order before it is notified (a customer cancelling it at once). */
  beforeNotice?: (index: number) => void;
}

export async function placeOrders(
  ctx: SandboxContext,
  account: Account,
  options: PlaceOptions,
): Promise<{ orders: number[]; callbacks: CallbackOutcome[] }> {
  const acc = ctx.store.of(account);
  const placed: PendingNotice[] = [];
  for (let k = 0; k < options.count; k++) {
    const index = ctx.store.add(acc, {
      now: ctx.now(),
      ...(options.type ? { type: options.type } : {}),
      ...(options.paymentModeId ? { paymentModeId: options.paymentModeId } : {}),
    });
    const orderId = ctx.store.id(acc, index);
    placed.push({ account, index, orderId, attempts: 0 });
    ctx.ledger.record({ kind: 'order.placed', account: account.key, target: String(orderId) });
    options.beforeNotice?.(index);
  }
  const callbacks = await Promise.all(placed.map((p) => notify(ctx, p)));
  return { orders: placed.map((p) => p.orderId), callbacks: callbacks.filter((c) => c !== undefined) };
}

async function notify(ctx: SandboxContext, notice: PendingNotice): Promise<CallbackOutcome | undefined> {
  const url = ctx.callbackUrl;
  if (!url) return undefined;
  notice.attempts++;
  ctx.pendingNotices.set(notice.orderId, notice);
  return notifyNewOrder({
    callbackUrl: url,
    orderId: notice.orderId,
    accountKey: notice.account.key,
    ledger: ctx.ledger,
  });
}

/** One retry round: notifies again every new order still not acknowledged. */
export async function retryNotices(ctx: SandboxContext): Promise<void> {
  const due: PendingNotice[] = [];
  for (const notice of ctx.pendingNotices.values()) {
    const acc = ctx.store.of(notice.account);
    const stillNew = notice.index < acc.count && ctx.store.header(acc, notice.index).status === 1;
    if (stillNew) due.push(notice);
    else ctx.pendingNotices.delete(notice.orderId);
  }
  await Promise.all(due.map((n) => notify(ctx, n)));
}
