import { rngFor } from '@mch/plugin-sdk/sandbox-kit';
import { EVENT_SLOTS, type EventType } from './data/order-header.ts';
import { EVENT_BASE, type AccountOrders } from './store.ts';

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

function isMissing(store: AccountOrders, index: number, rate: number): boolean {
  return rate > 0 && rngFor(store.seed, 'missing-event', store.accountIndex, index).next() < rate;
}

/**
 * Events after cursor `from` (exclusive), oldest first, up to `limit`, optionally of some types
 * (GET /order/events). Seeded orders' events are computed from their headers; run-time ones come
 * from the log. Orders hit by the "missing events" fault are skipped.
 */
export function readEvents(
  store: AccountOrders,
  query: { from?: number; types?: ReadonlySet<string>; limit: number; missingRate: number },
): RawEvent[] {
  const out: RawEvent[] = [];
  const from = query.from ?? EVENT_BASE - 1;
  const accept = (type: string): boolean => !query.types || query.types.has(type);
  const seededEnd = EVENT_BASE + EVENT_SLOTS * store.seeded;
  if (from < seededEnd - 1) {
    for (let i = Math.max(0, Math.floor((from + 1 - EVENT_BASE) / EVENT_SLOTS)); i < store.seeded; i++) {
      if (isMissing(store, i, query.missingRate)) continue;
      const header = store.header(i);
      const times = store.times(i, header);
      for (let slot = 0; slot < EVENT_SLOTS; slot++) {
        const e = header.events[slot];
        const id = EVENT_BASE + EVENT_SLOTS * i + slot;
        if (!e || id <= from || !accept(e.type)) continue;
        out.push({ id, type: e.type, at: times.eventAt[slot] ?? times.boughtAt, index: i });
        if (out.length >= query.limit) return out;
      }
    }
  }
  for (const e of store.events) {
    if (e.id <= from || !accept(e.type) || isMissing(store, e.index, query.missingRate)) continue;
    out.push(e);
    if (out.length >= query.limit) break;
  }
  return out;
}

/** Latest event of the account (GET /order/event-stats), whatever the faults. */
export function latestEvent(store: AccountOrders): RawEvent | null {
  const dynamic = store.events.at(-1);
  if (dynamic) return dynamic;
  for (let i = store.seeded - 1; i >= 0; i--) {
    const header = store.header(i);
    const times = store.times(i, header);
    for (let slot = EVENT_SLOTS - 1; slot >= 0; slot--) {
      const e = header.events[slot];
      if (e)
        return {
          id: EVENT_BASE + EVENT_SLOTS * i + slot,
          type: e.type,
          at: times.eventAt[slot] ?? times.boughtAt,
          index: i,
        };
    }
  }
  return null;
}

/** Applies the duplicate and out-of-order faults to a page, deterministically per event id. */
export function disorder(store: AccountOrders, events: RawEvent[], faults: EventFaults): RawEvent[] {
  const roll = (kind: string, id: number): number => rngFor(store.seed, kind, store.accountIndex, id).next();
  const page = [...events];
  if (faults.outOfOrderEvents > 0) {
    for (let k = 0; k + 1 < page.length; k++) {
      const a = page[k];
      const b = page[k + 1];
      if (a && b && roll('out-of-order', a.id) < faults.outOfOrderEvents) {
        page[k] = b;
        page[k + 1] = a;
        k++;
      }
    }
  }
  if (faults.duplicateEvents <= 0) return page;
  return page.flatMap((e) => (roll('duplicate', e.id) < faults.duplicateEvents ? [e, e] : [e]));
}

/** The OrderEvent body (OpenAPI OrderEvent: id, type, occurredAt, order{seller,buyer,lineItems,checkoutForm,marketplace}). */
export function eventBody(store: AccountOrders, event: RawEvent): Record<string, unknown> {
  const form = store.form(event.index) as {
    id: string;
    revision: string;
    buyer: { id: string; email: string; login: string; guest: boolean; preferences: unknown };
    lineItems: {
      id: string;
      offer: unknown;
      quantity: number;
      originalPrice: unknown;
      price: unknown;
      boughtAt: string;
    }[];
    marketplace: { id: string };
  };
  return {
    id: String(event.id),
    type: event.type,
    occurredAt: new Date(event.at).toISOString(),
    order: {
      seller: { id: store.account.id },
      buyer: {
        id: form.buyer.id,
        email: form.buyer.email,
        login: form.buyer.login,
        guest: form.buyer.guest,
        preferences: form.buyer.preferences,
      },
      lineItems: form.lineItems.map((l) => ({
        id: l.id,
        offer: l.offer,
        quantity: l.quantity,
        originalPrice: l.originalPrice,
        price: l.price,
        boughtAt: l.boughtAt,
      })),
      checkoutForm: { id: form.id, revision: form.revision },
      marketplace: { id: form.marketplace.id },
    },
  };
}
