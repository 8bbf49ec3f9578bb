import type { SellerAccount } from './data/accounts.ts';
import { buildCheckoutForm, type OrderTimes } from './data/checkout-form.ts';
import { checkoutFormId, parseCheckoutFormId, revisionFor } from './data/ids.ts';
import {
  CHECKOUT_STATUSES,
  EVENT_SLOTS,
  FULFILLMENT_STATUSES,
  orderHeader,
  type CheckoutStatus,
  type EventType,
  type FulfillmentStatus,
  type OrderHeader,
} from './data/order-header.ts';

/** Seeded orders are spread over this many days before the sandbox clock's start. */
const SPAN_MS = 30 * 24 * 3600 * 1000;
/**
 * Seeded event ids start here: Allegro's are 16-digit numbers (`1661520629376105`,
 * reference/README.md "Orders", Correction); still exact as JS numbers (< 2^53).
 */
export const EVENT_BASE = 1_700_000_000_000_000;

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
  status?: CheckoutStatus;
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

/** What one seller's orders keep across a restart (`SandboxOptions.stateDir`); seeded ones are recomputed. */
export interface AccountOrdersSnapshot {
  added: { addedAt: number; mergedFrom?: number }[];
  overlays: [number, Overlay][];
  hidden: number[];
  events: DynamicEvent[];
  nextEventId: number;
  mergedNewest: number;
}

/**
 * One seller's orders: seeded ones computed on demand from (seed, account, index), orders added
 * at run time, and the overlay of what the seller changed. Only changes and additions use memory.
 */
export class AccountOrders {
  readonly seed: string | number;
  readonly account: SellerAccount;
  readonly accountIndex: number;
  readonly seeded: number;
  readonly anchor: number;
  readonly added: { addedAt: number; mergedFrom?: number }[] = [];
  readonly overlays = new Map<number, Overlay>();
  readonly hidden = new Set<number>();
  readonly events: DynamicEvent[] = [];
  private nextEventId: number;
  private index?: { status: Uint8Array; fulfillment: Uint8Array; updatedAt: Float64Array };

  constructor(input: {
    seed: string | number;
    account: SellerAccount;
    accountIndex: number;
    orders: number;
    anchor: number;
  }) {
    this.seed = input.seed;
    this.account = input.account;
    this.accountIndex = input.accountIndex;
    this.seeded = input.orders;
    this.anchor = input.anchor;
    this.nextEventId = EVENT_BASE + EVENT_SLOTS * this.seeded;
  }

  snapshot(): AccountOrdersSnapshot {
    return {
      added: this.added,
      overlays: [...this.overlays],
      hidden: [...this.hidden],
      events: this.events,
      nextEventId: this.nextEventId,
      mergedNewest: this.mergedNewest,
    };
  }

  /** Takes back what a previous run of the sandbox kept (before anything else touches the store). */
  restore(saved: AccountOrdersSnapshot): void {
    this.added.push(...saved.added);
    for (const [index, overlay] of saved.overlays) this.overlays.set(index, overlay);
    for (const index of saved.hidden) this.hidden.add(index);
    this.events.push(...saved.events);
    this.nextEventId = saved.nextEventId;
    this.mergedNewest = saved.mergedNewest;
    this.index = undefined;
  }

  /** All order indices ever created (seeded + added), including hidden ones. */
  get size(): number {
    return this.seeded + this.added.length;
  }

  header(index: number): OrderHeader {
    return orderHeader(this.seed, this.accountIndex, index);
  }

  times(index: number, header = this.header(index)): OrderTimes {
    if (index < this.seeded) {
      const spacing = this.seeded > 0 ? SPAN_MS / this.seeded : 0;
      const boughtAt = Math.floor(this.anchor - (this.seeded - index) * spacing);
      const eventAt = header.events.map((e) => (e ? Math.min(boughtAt + e.offsetMs, this.anchor) : null));
      return { boughtAt, eventAt, updatedAt: Math.max(...eventAt.map((t) => t ?? boughtAt)) };
    }
    const addedAt = this.added[index - this.seeded]?.addedAt ?? this.anchor;
    const eventAt = header.events.map((e, slot) => (e ? addedAt + slot : null));
    return { boughtAt: addedAt, eventAt, updatedAt: Math.max(...eventAt.map((t) => t ?? addedAt)) };
  }

  id(index: number): string {
    return checkoutFormId(this.seed, this.accountIndex, index);
  }

  /** Index of a visible order with this id, or null (unknown, other seller's, or merged away). */
  find(id: string): number | null {
    const index = parseCheckoutFormId(this.seed, this.accountIndex, id);
    if (index === null || index >= this.size || this.hidden.has(index)) return null;
    return index;
  }

  overlay(index: number): Overlay | undefined {
    return this.overlays.get(index);
  }

  private touch(index: number): Overlay {
    let o = this.overlays.get(index);
    if (!o) {
      o = { version: 0, invoices: [] };
      this.overlays.set(index, o);
    }
    return o;
  }

  form(index: number): Record<string, unknown> {
    const header = this.header(index);
    const o = this.overlays.get(index);
    return buildCheckoutForm({
      seed: this.seed,
      account: this.account,
      accountIndex: this.accountIndex,
      index,
      header,
      times: this.times(index, header),
      overrides: {
        id: this.id(index),
        status: o?.status,
        fulfillment: o?.fulfillment,
        revision: o?.revision,
        updatedAt: o?.updatedAt,
      },
    });
  }

  revision(index: number): string {
    return this.overlays.get(index)?.revision ?? (this.form(index).revision as string);
  }

  /** Compact per-order columns for list filters, built on first use (≈10 bytes per order). */
  columns(): { status: Uint8Array; fulfillment: Uint8Array; updatedAt: Float64Array } {
    if (!this.index || this.index.status.length < this.size) {
      const n = this.size;
      const status = new Uint8Array(n);
      const fulfillment = new Uint8Array(n);
      const updatedAt = new Float64Array(n);
      const from = this.index ? this.index.status.length : 0;
      if (this.index) {
        status.set(this.index.status);
        fulfillment.set(this.index.fulfillment);
        updatedAt.set(this.index.updatedAt);
      }
      for (let i = from; i < n; i++) {
        const h = this.header(i);
        status[i] = CHECKOUT_STATUSES.indexOf(h.status);
        fulfillment[i] = FULFILLMENT_STATUSES.indexOf(h.fulfillment);
        updatedAt[i] = this.times(i, h).updatedAt;
      }
      for (const [i, o] of this.overlays) {
        if (i < from) continue; // older rows were copied with their overlays applied
        if (o.status) status[i] = CHECKOUT_STATUSES.indexOf(o.status);
        if (o.fulfillment) fulfillment[i] = FULFILLMENT_STATUSES.indexOf(o.fulfillment);
        if (o.updatedAt) updatedAt[i] = o.updatedAt;
      }
      this.index = { status, fulfillment, updatedAt };
    }
    return this.index;
  }

  statusOf(index: number): CheckoutStatus {
    return this.overlays.get(index)?.status ?? this.header(index).status;
  }

  private pushEvent(type: EventType, index: number, at: number): DynamicEvent {
    const event = { id: this.nextEventId++, type, at, index };
    this.events.push(event);
    return event;
  }

  /** A change by the seller or the buyer: new revision, updatedAt now, one event. */
  private change(index: number, type: EventType, apply: (o: Overlay) => void, now: number): string {
    const o = this.touch(index);
    apply(o);
    o.version++;
    o.revision = revisionFor(this.seed, this.accountIndex, index, o.version);
    o.updatedAt = now;
    if (this.index && index < this.index.status.length) {
      this.index.updatedAt[index] = now;
      if (o.status) this.index.status[index] = CHECKOUT_STATUSES.indexOf(o.status);
      if (o.fulfillment) this.index.fulfillment[index] = FULFILLMENT_STATUSES.indexOf(o.fulfillment);
    }
    this.pushEvent(type, index, now);
    return o.revision;
  }

  setFulfillment(index: number, status: FulfillmentStatus, now = Date.now()): string {
    return this.change(index, 'FULFILLMENT_STATUS_CHANGED', (o) => (o.fulfillment = status), now);
  }

  /**
   * The buyer cancels: status CANCELLED, a BUYER_CANCELLED event, a new revision. Allegro lets a
   * form be BUYER_CANCELLED after READY_FOR_PROCESSING (reference/README.md "Orders"); the payment
   * stays as it was, for the seller to refund (`POST /payments/refunds`, CANCELLED_BY_BUYER).
   */
  buyerCancel(index: number, now = Date.now()): string {
    return this.change(index, 'BUYER_CANCELLED', (o) => (o.status = 'CANCELLED'), now);
  }

  /** The newest order still waiting to be sent (READY_FOR_PROCESSING, fulfillment NEW or PROCESSING), or null. */
  newestCancellable(): number | null {
    for (let i = this.size - 1; i >= 0; i--) {
      if (this.hidden.has(i) || this.statusOf(i) !== 'READY_FOR_PROCESSING') continue;
      const fulfillment = this.overlays.get(i)?.fulfillment ?? this.header(i).fulfillment;
      if (fulfillment === 'NEW' || fulfillment === 'PROCESSING') return i;
    }
    return null;
  }

  buyerModified(index: number, now = Date.now()): string {
    return this.change(index, 'BUYER_MODIFIED', () => undefined, now);
  }

  addInvoice(index: number, invoice: InvoiceRecord): void {
    this.touch(index).invoices.push(invoice);
  }

  /** New orders bought now (live trade), with their lifecycle events. Returns their indices. */
  addOrders(count: number, now = Date.now(), mergedFrom?: number): number[] {
    const indices: number[] = [];
    for (let k = 0; k < count; k++) {
      const index = this.size;
      this.added.push({ addedAt: now, mergedFrom });
      const header = this.header(index);
      const times = this.times(index, header);
      header.events.forEach((e, slot) => {
        if (e) this.pushEvent(e.type, index, times.eventAt[slot] ?? now);
      });
      indices.push(index);
    }
    return indices;
  }

  private mergedNewest = 0;

  /**
   * The "merged orders" fault: every second one of the newest seeded orders, up to `count`, is
   * merged (deterministic; raising the count merges more, lowering it undoes nothing).
   */
  mergeNewest(count: number, now = Date.now()): void {
    for (; this.mergedNewest < count; this.mergedNewest++) {
      const index = this.seeded - 1 - 2 * this.mergedNewest;
      if (index < 0) break;
      if (!this.hidden.has(index)) this.merge(index, now);
    }
  }

  /** The buyer merged purchases: the old form 404s from now on, a new one replaces it. */
  merge(index: number, now = Date.now()): number {
    this.hidden.add(index);
    const [replacement] = this.addOrders(1, now, index);
    if (replacement === undefined) throw new Error('merge produced no replacement');
    return replacement;
  }
}
