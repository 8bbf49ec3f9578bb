import type { Ledger } from '@mch/plugin-sdk/sandbox-kit';

/**
 * The new-order notification (API doc "Order notification, acknowledgment and order
 * filters"): eMAG makes `GET <callback URL>?order_id=N` when an order is placed.
 */
const CALLBACK_TIMEOUT_MS = 5_000;

export interface CallbackOutcome {
  orderId: number;
  url: string;
  status?: number;
  error?: string;
}

export async function notifyNewOrder(options: {
  callbackUrl: string;
  orderId: number;
  accountKey: string;
  ledger: Ledger;
}): Promise<CallbackOutcome> {
  const url = new URL(options.callbackUrl);
  url.searchParams.set('order_id', String(options.orderId));
  const outcome: CallbackOutcome = { orderId: options.orderId, url: url.toString() };
  try {
    const response = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS) });
    await response.arrayBuffer();
    outcome.status = response.status;
  } catch (error) {
    outcome.error = (error as Error).message;
  }
  options.ledger.record({
    kind: outcome.error === undefined ? 'callback.sent' : 'callback.failed',
    account: options.accountKey,
    target: String(options.orderId),
    data: {
      url: outcome.url,
      ...(outcome.status !== undefined ? { status: outcome.status } : { error: outcome.error }),
    },
  });
  return outcome;
}
