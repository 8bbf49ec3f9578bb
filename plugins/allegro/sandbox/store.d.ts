import type { SellerAccount } from './data/accounts.ts';
import { type OrderTimes } from './data/checkout-form.ts';
import { type CheckoutStatus, type EventType, type FulfillmentStatus, type OrderHeader } from './data/order-header.ts';
/**
 * Seeded event ids start here: Allegro's are 16-digit numbers (`1661520629376105`,
 * reference/README.md "Orders", Correction); still exact as JS numbers (< 2^53).
 */
export declare const EVENT_BASE = 1700000000000000;
export interface InvoiceRecord {
    id: string;
    invoiceNumber?: string;
    fileName: string;
    createdAt: number;
    /** The virus scan's verdict is known from `verifiedAt` on; until then the file is WAITING. */
    file?: {
        uploadedAt: number;
        size: number;
        sha256: string;
        verifiedAt: number;
        verdict: 'ACCEPTED' | 'REJECTED';
    };
    /** Added outside this API client (Allegro's seller panel, another tool). */
    external?: boolean;
}
interface Overlay {
    fulfillment?: FulfillmentStatus;
    revision?: string;
    version: number;
    updatedAt?: number;
    invoices: InvoiceRecord[];
}
export interface DynamicEvent {
    id: number;
    type: EventType;
    at: number;
    index: number;
}
/**
 * One seller's orders: seeded ones computed on demand from (seed, account, index), orders added
 * at run time, and the overlay of what the seller changed. Only changes and additions use memory.
 */
export declare class AccountOrders {
    readonly seed: string | number;
    readonly account: SellerAccount;
    readonly accountIndex: number;
    readonly seeded: number;
    readonly anchor: number;
    readonly added: {
        addedAt: number;
        mergedFrom?: number;
    }[];
    readonly overlays: Map<number, Overlay>;
    readonly hidden: Set<number>;
    readonly events: DynamicEvent[];
    private nextEventId;
    private index?;
    constructor(input: {
        seed: string | number;
        account: SellerAccount;
        accountIndex: number;
        orders: number;
        anchor: number;
    });
    /** All order indices ever created (seeded + added), including hidden ones. */
    get size(): number;
    header(index: number): OrderHeader;
    times(index: number, header?: OrderHeader): OrderTimes;
    id(index: number): string;
    /** Index of a visible order with this id, or null (unknown, other seller's, or merged away). */
    find(id: string): number | null;
    overlay(index: number): Overlay | undefined;
    private touch;
    form(index: number): Record<string, unknown>;
    revision(index: number): string;
    /** Compact per-order columns for list filters, built on first use (≈10 bytes per order). */
    columns(): {
        status: Uint8Array;
        fulfillment: Uint8Array;
        updatedAt: Float64Array;
    };
    statusOf(index: number): CheckoutStatus;
    private pushEvent;
    /** A change by the seller or the buyer: new revision, updatedAt now, one event. */
    private change;
    setFulfillment(index: number, status: FulfillmentStatus, now?: number): string;
    buyerModified(index: number, now?: number): string;
    addInvoice(index: number, invoice: InvoiceRecord): void;
    /** New orders bought now (live trade), with their lifecycle events. Returns their indices. */
    addOrders(count: number, now?: number, mergedFrom?: number): number[];
    private mergedNewest;
    /**
     * The "merged orders" fault: every second one of the newest seeded orders, up to `count`, is
     * merged (deterministic; raising the count merges more, lowering it undoes nothing).
     */
    mergeNewest(count: number, now?: number): void;
    /** The buyer merged purchases: the old form 404s from now on, a new one replaces it. */
    merge(index: number, now?: number): number;
}
export {};
