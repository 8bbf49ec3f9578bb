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

export type PaymentType = 'ONLINE' | 'CASH_ON_DELIVERY' | 'WIRE_TRANSFER';

/**
 * The cheap part of a seeded order: what list filters and the event log need. Drawn from its own
 * stream so scanning 100 000 headers never builds the full checkout forms.
 * `events[slot]` are the order's lifecycle events; slot s of order i has id base + 4i + s.
 */
export interface OrderHeader {
  status: CheckoutStatus;
  paymentType: PaymentType;
  paid: boolean;
  fulfillment: FulfillmentStatus;
  /** Lifecycle events with their offset from boughtAt in ms, by slot (0..3). */
  events: ({ type: EventType; offsetMs: number } | null)[];
}

export const EVENT_SLOTS = 4;

export function orderHeader(seed: string | number, accountIndex: number, index: number): OrderHeader {
  const rng = rngFor(seed, 'order-header', accountIndex, index);
  const status = rng.weighted<CheckoutStatus>([
    ['READY_FOR_PROCESSING', 75],
    ['FILLED_IN', 8],
    ['BOUGHT', 5],
    ['CANCELLED', 12],
  ]);
  const paymentType = rng.weighted<PaymentType>([
    ['ONLINE', 70],
    ['CASH_ON_DELIVERY', 20],
    ['WIRE_TRANSFER', 10],
  ]);
  const filled = rng.int(30, 300) * 1000;
  const ready = filled + rng.int(60, 900) * 1000;
  const cancelled = filled + rng.int(300, 3600) * 1000;
  const events: OrderHeader['events'] = [{ type: 'BOUGHT', offsetMs: 0 }, null, null, null];
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
      // Cash on delivery is ready for processing without being paid (Allegro order docs).
      paid = paymentType !== 'CASH_ON_DELIVERY';
      fulfillment = rng.weighted<FulfillmentStatus>([
        ['NEW', 70],
        ['PROCESSING', 15],
        ['READY_FOR_SHIPMENT', 5],
        ['SENT', 10],
      ]);
      break;
    case 'CANCELLED':
      if (rng.chance(0.5)) {
        events[1] = { type: 'FILLED_IN', offsetMs: filled };
        events[3] = { type: 'BUYER_CANCELLED', offsetMs: cancelled };
      } else {
        events[3] = { type: 'AUTO_CANCELLED', offsetMs: cancelled };
      }
      fulfillment = 'CANCELLED';
      break;
  }
  return { status, paymentType, paid, fulfillment, events };
}

/** Offset of the order's last lifecycle event (its updatedAt relative to boughtAt). */
export function lastOffset(header: OrderHeader): number {
  return Math.max(...header.events.map((e) => e?.offsetMs ?? 0));
}
