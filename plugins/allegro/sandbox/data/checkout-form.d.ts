import type { SellerAccount } from './accounts.ts';
import { type FulfillmentStatus, type OrderHeader } from './order-header.ts';
/** The state a seller's actions laid over a generated order (fulfillment, revision, time). */
export interface OrderTimes {
    boughtAt: number;
    /** Event time by slot (already clamped to the sandbox clock). */
    eventAt: (number | null)[];
    updatedAt: number;
}
export interface OrderOverrides {
    fulfillment?: FulfillmentStatus;
    revision?: string;
    updatedAt?: number;
    /** Replacement id (merged checkout forms keep their content under a new id). */
    id?: string;
}
/**
 * Builds the full checkout form (OpenAPI `CheckoutForm`) of order `index` of one account.
 * Money is summed in minor units of the marketplace's currency, so `summary.totalToPay` equals
 * lines + deposits + additional services + delivery exactly.
 */
export declare function buildCheckoutForm(input: {
    seed: string | number;
    account: SellerAccount;
    accountIndex: number;
    index: number;
    header: OrderHeader;
    times: OrderTimes;
    overrides?: OrderOverrides;
}): Record<string, unknown>;
