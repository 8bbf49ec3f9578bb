import { type EventType } from './data/order-header.ts';
import { type AccountOrders } from './store.ts';
export interface RawEvent {
    id: number;
    type: EventType;
    at: number;
    index: number;
}
export interface EventFaults {
    /** Fraction of orders whose events never arrive (decided per order from the seed). */
    missingEvents: number;
    /** Fraction of events delivered twice in the page they appear in. */
    duplicateEvents: number;
    /** Fraction of events swapped with their successor in a page. */
    outOfOrderEvents: number;
}
/**
 * Events after cursor `from` (exclusive), oldest first, up to `limit`, optionally of some types
 * (GET /order/events). Seeded orders' events are computed from their headers; run-time ones come
 * from the log. Orders hit by the "missing events" fault are skipped.
 */
export declare function readEvents(store: AccountOrders, query: {
    from?: number;
    types?: ReadonlySet<string>;
    limit: number;
    missingRate: number;
}): RawEvent[];
/** Latest event of the account (GET /order/event-stats), whatever the faults. */
export declare function latestEvent(store: AccountOrders): RawEvent | null;
/** Applies the duplicate and out-of-order faults to a page, deterministically per event id. */
export declare function disorder(store: AccountOrders, events: RawEvent[], faults: EventFaults): RawEvent[];
/** The OrderEvent body (OpenAPI OrderEvent: id, type, occurredAt, order{seller,buyer,lineItems,checkoutForm,marketplace}). */
export declare function eventBody(store: AccountOrders, event: RawEvent): Record<string, unknown>;
