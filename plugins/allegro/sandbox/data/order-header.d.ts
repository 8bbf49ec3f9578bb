/** Checkout form statuses and event types (OpenAPI CheckoutFormStatus, OrderEventType). */
export declare const CHECKOUT_STATUSES: readonly ["BOUGHT", "FILLED_IN", "READY_FOR_PROCESSING", "CANCELLED"];
export type CheckoutStatus = (typeof CHECKOUT_STATUSES)[number];
export declare const FULFILLMENT_STATUSES: readonly ["NEW", "PROCESSING", "READY_FOR_SHIPMENT", "READY_FOR_PICKUP", "SENT", "PICKED_UP", "CANCELLED", "SUSPENDED", "RETURNED"];
export type FulfillmentStatus = (typeof FULFILLMENT_STATUSES)[number];
export declare const EVENT_TYPES: readonly ["BOUGHT", "FILLED_IN", "READY_FOR_PROCESSING", "BUYER_CANCELLED", "FULFILLMENT_STATUS_CHANGED", "BUYER_MODIFIED", "AUTO_CANCELLED"];
export type EventType = (typeof EVENT_TYPES)[number];
/** OpenAPI CheckoutFormPaymentType; EXTENDED_TERM is the deferred payment for businesses. */
export type PaymentType = 'ONLINE' | 'CASH_ON_DELIVERY' | 'WIRE_TRANSFER' | 'EXTENDED_TERM';
/**
 * Where the order was bought and the currency of all its amounts (reference/README.md
 * "Correction", allegro-api #7980, #9529).
 */
export declare const MARKETPLACES: {
    readonly 'allegro-pl': {
        readonly currency: "PLN";
        readonly country: "PL";
    };
    readonly 'allegro-cz': {
        readonly currency: "CZK";
        readonly country: "CZ";
    };
    readonly 'allegro-sk': {
        readonly currency: "EUR";
        readonly country: "SK";
    };
    readonly 'allegro-hu': {
        readonly currency: "HUF";
        readonly country: "HU";
    };
};
export type MarketplaceId = keyof typeof MARKETPLACES;
/**
 * The cheap part of a seeded order: what list filters and the event log need. Drawn from its own
 * stream so scanning 100 000 headers never builds the full checkout forms.
 * `events[slot]` are the order's lifecycle events; slot s of order i has id base + EVENT_SLOTS·i + s.
 */
export interface OrderHeader {
    status: CheckoutStatus;
    paymentType: PaymentType;
    paid: boolean;
    fulfillment: FulfillmentStatus;
    marketplace: MarketplaceId;
    /** Lifecycle events with their offset from boughtAt in ms, by slot (0..EVENT_SLOTS-1). */
    events: ({
        type: EventType;
        offsetMs: number;
    } | null)[];
}
/**
 * Slots: 0 BOUGHT, 1 FILLED_IN, 2 READY_FOR_PROCESSING, 3 READY_FOR_PROCESSING again (deferred
 * payment: the form reaches it twice), 4 BUYER_CANCELLED / AUTO_CANCELLED — which may follow
 * READY_FOR_PROCESSING (reference/README.md "Orders", Correction).
 */
export declare const EVENT_SLOTS = 5;
export declare function orderHeader(seed: string | number, accountIndex: number, index: number): OrderHeader;
/** Offset of the order's last lifecycle event (its updatedAt relative to boughtAt). */
export declare function lastOffset(header: OrderHeader): number;
