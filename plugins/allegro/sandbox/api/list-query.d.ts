import type { AccountOrders } from '../store.ts';
type Query = Record<string, string | string[] | undefined>;
export interface ListQuery {
    offset: number;
    limit: number;
    status?: number;
    fulfillment?: number;
    updatedGte?: number;
    updatedLte?: number;
    boughtGte?: number;
    boughtLte?: number;
    buyerLogin?: string;
    sort: 'lineItems.boughtAt' | '-lineItems.boughtAt' | 'updatedAt' | '-updatedAt';
}
/** The deepest result `offset + limit` may reach. */
export declare const MAX_RESULT_WINDOW = 10000;
/** Validates `GET /order/checkout-forms` parameters; bounds violations are 422 like Allegro's. */
export declare function parseListQuery(q: Query): {
    ok: true;
    query: ListQuery;
} | {
    ok: false;
    message: string;
    path: string;
};
/**
 * The page of order indices for a query. Without filters and in the default order the page is
 * computed directly (newest first = highest index first); otherwise the compact columns are
 * scanned, so even 100 000 orders never become 100 000 objects.
 */
export declare function listCheckoutForms(store: AccountOrders, q: ListQuery): {
    indices: number[];
    totalCount: number;
};
export {};
