import { rngFor } from '@mch/plugin-sdk/sandbox-kit';

/** Checkout form statuses and event types (OpenAPI CheckoutFormStatus, OrderEventType). */
export const CHECKOUT_STATUSES = ['BOUGHT', 'FILLED_IN', 'READY_FOR_PROCESSING', 'CANCELLED'] as const;
export type CheckoutStatus = (typeof CHECKOUT_STATUSES)[number];

export const FULFILLMENT_STATUSES = [
  'NEW', 'PROCESSING', 'READY_FOR_SHIPMENT', 'READY_FOR_PICKUP', 'SENT', 'PICKED_UP', 'CANCELLED', 'SUSPENDED', 'RETURNED',
] as const;
export type FulfillmentStatus = (typeof FULFILLMENT_STATUSES)[number];

export const EVENT_TYPES = [
  'BOUGHT', 'FILLED_IN', 'READY_FOR_PROCESSING', 'BUYER_CANCELLED', 'FULFILLMENT_STATUS_CHANGED', 'BUYER_MODIFIED', 'AUTO_CANCELLED',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** OpenAPI CheckoutFormPaymentType; EXTENDED_TERM is the deferred payment for businesses. */
export type PaymentType = 'ONLINE' | 'CASH_ON_DELIVERY' | 'WIRE_TRANSFER' | 'EXTENDED_TERM';

/**
 * Where the order was bought and the currency of all its amounts (reference/README.md
 * "Correction", allegro-api #7980, #9529).
 */
export const MARKETPLACES = {
  'allegro-pl': { currency: 'PLN', country: 'PL' },
  'allegro-cz': { currency: 'CZK', country: 'CZ' },
  'allegro-sk': { currency: 'EUR', country: 'SK' },
  'allegro-hu': { currency: 'HUF', country: 'HU' },
} as const;
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
  events: ({ type: EventType; offsetMs: number } | null)[];
}

/**
 * Slots: 0 BOUGHT, 1 FILLED_IN, 2 READY_FOR_PROCESSING, 3 READY_FOR_PROCESSING again (deferred
 * payment: the form reaches it twice), 4 BUYER_CANCELLED / AUTO_CANCELLED — which may follow
 * READY_FOR_PROCESSING (reference/README.md "Orders", Correction).
 */
export const EVENT_SLOTS = 5;

export function orderHeader(seed: string | number, accountIndex: number, index: number): OrderHeader {
  const rng = rngFor(seed, 'order-header', accountIndex, index);
  const status = rng.weighted<CheckoutStatus>([
    ['READY_FOR_PROCESSING', 75],
    ['FILLED_IN', 8],
    ['BOUGHT', 5],
    ['CANCELLED', 12],
  ]);
  let paymentType = rng.weighted<PaymentType>([
    ['ONLINE', 68],
    ['CASH_ON_DELIVERY', 19],
    ['WIRE_TRANSFER', 9],
    ['EXTENDED_TERM', 4],
  ]);
  const marketplace = rng.weighted<MarketplaceId>([
    ['allegro-pl', 85],
    ['allegro-cz', 7],
    ['allegro-sk', 5],
    ['allegro-hu', 3],
  ]);
  // Deferred payment for businesses is offered on allegro.pl only.
  if (paymentType === 'EXTENDED_TERM' && marketplace !== 'allegro-pl') paymentType = 'ONLINE';
  const filled = rng.int(30, 300) * 1000;
  const ready = filled + rng.int(60, 900) * 1000;
  const readyAgain = ready + rng.int(600, 3600) * 1000;
  const cancelled = filled + rng.int(300, 3600) * 1000;
  const events: OrderHeader['events'] = [{ type: 'BOUGHT', offsetMs: 0 }, null, null, null, null];
  let paid = false;
  let fulfillment: FulfillmentStatus = 'NEW';
  switch (status) {
    case 'BOUGHT':
      break;
    case 'FILLED_IN':
      events[1] = { type: 'FILLED_IN', offsetMs: filled };
      break;
    case 'READY_FOR_PROCESSING':
      events[1] = { type: 'FILLED_IN', offsetMs: filled };
      events[2] = { type: 'READY_FOR_PROCESSING', offsetMs: ready };
      // Deferred payment: READY_FOR_PROCESSING a second time once the payment is settled.
      if (paymentType === 'EXTENDED_TERM') events[3] = { type: 'READY_FOR_PROCESSING', offsetMs: readyAgain };
      // Cash on delivery and deferred payment are ready for processing without being paid yet.
      paid = paymentType !== 'CASH_ON_DELIVERY' && paymentType !== 'EXTENDED_TERM';
      fulfillment = rng.weighted<FulfillmentStatus>([
        ['NEW', 70],
        ['PROCESSING', 15],
        ['READY_FOR_SHIPMENT', 5],
        ['SENT', 10],
      ]);
      break;
    case 'CANCELLED': {
      const kind = rng.weighted<'filled' | 'ready' | 'auto'>([
        ['filled', 40],
        ['ready', 20],
        ['auto', 40],
      ]);
      if (kind === 'auto') events[4] = { type: 'AUTO_CANCELLED', offsetMs: cancelled };
      else {
        events[1] = { type: 'FILLED_IN', offsetMs: filled };
        // The buyer may cancel even after READY_FOR_PROCESSING (reference/README.md "Orders").
        if (kind === 'ready') events[2] = { type: 'READY_FOR_PROCESSING', offsetMs: ready };
        events[4] = { type: 'BUYER_CANCELLED', offsetMs: kind === 'ready' ? readyAgain : cancelled };
      }
      fulfillment = 'CANCELLED';
      break;
    }
  }
  return { status, paymentType, paid, fulfillment, marketplace, events };
}

/** Offset of the order's last lifecycle event (its updatedAt relative to boughtAt). */
export function lastOffset(header: OrderHeader): number {
  return Math.max(...header.events.map((e) => e?.offsetMs ?? 0));
}
