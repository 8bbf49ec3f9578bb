import type { Ledger } from '@mch/plugin-sdk/sandbox-kit';
import type { Account } from './accounts.ts';
import type { PendingNotice } from './new-orders.ts';
import type { OfferStore } from './offer-store.ts';
import type { OrderStore } from './order-store.ts';
import type { RmaStore } from './rma-store.ts';

/** Everything a route handler needs; one per running sandbox. */
export interface SandboxContext {
  seed: string;
  store: OrderStore;
  rmas: RmaStore;
  offers: OfferStore;
  ledger: Ledger;
  /** The new-order callback URL (API doc "Order notification"), settable at run time. */
  callbackUrl: string | undefined;
  /** New orders notified and not yet acknowledged, by order id. */
  pendingNotices: Map<number, PendingNotice>;
  now(): number;
}

/** What the API pre-handler attaches to an authenticated request. */
export interface ApiRequestState {
  account: Account;
  data: unknown;
}
