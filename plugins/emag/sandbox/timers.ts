import type { Account } from './accounts.ts';
import { cancelAsCustomer } from './buyer-cancel.ts';
import type { SandboxContext } from './context.ts';
import { placeOrders, retryNotices } from './new-orders.ts';
import { openReturn } from './new-returns.ts';

export interface TimerOptions {
  /** The account the demo timers act on (`extra.newOrdersAccount`, default `ro-main`). */
  newOrdersAccount: Account;
  newOrdersEveryMs?: number;
  newReturnsEveryMs?: number;
  buyerCancelEveryMs?: number;
  callbackRetryMs?: number;
}

/**
 * Timers, each off unless its interval is given: demo mode's new orders (`extra.newOrdersEveryMs`),
 * new returns (`extra.newReturnsEveryMs`, new-returns.ts) and customers' cancellations
 * (`extra.buyerCancelEveryMs`, buyer-cancel.ts), all on the demo account; notification retries
 * (`extra.callbackRetryMs`). A tick that finds nothing to act on (no delivered order left to
 * return) does nothing.
 */
export function startTimers(ctx: SandboxContext, options: TimerOptions): () => void {
  const timers: NodeJS.Timeout[] = [];
  const account = options.newOrdersAccount;
  const every = (ms: number | undefined, tick: () => void) => {
    if (ms && ms > 0) timers.push(setInterval(tick, ms));
  };
  every(options.newOrdersEveryMs, () => void placeOrders(ctx, account, { count: 1 }));
  every(options.newReturnsEveryMs, () => {
    openReturn(ctx, account, {});
  });
  every(options.buyerCancelEveryMs, () => void cancelAsCustomer(ctx, account, {}));
  every(options.callbackRetryMs, () => void retryNotices(ctx));
  for (const t of timers) t.unref();
  return () => timers.forEach((t) => clearInterval(t));
}
