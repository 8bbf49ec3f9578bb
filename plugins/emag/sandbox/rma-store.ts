import { rngFor } from '@mch/plugin-sdk/sandbox-kit';
import type { Account } from './accounts.ts';
import { formatDate } from './dates.ts';
import { fmt4 } from './money.ts';
import type { OrderStore } from './order-store.ts';

/**
 * Return requests (API doc "Processing return requests"), one per ~40 orders of an account,
 * each on a finalized or returned order. Like orders they are computed on demand from
 * (seed, account, index); status changes and the seller's own id live in an overlay.
 */
export interface RmaHeader {
  index: number;
  emagId: number;
  orderIndex: number;
  createdAt: number;
  status: number;
}

export interface RmaOverlay {
  status?: number;
  sellerId?: number;
  modified?: number;
}

/** A return a customer opened while the sandbox runs (control route or demo timer). */
export interface OpenedReturn {
  orderIndex: number;
  createdAt: number;
  /** Indexes into the order's products, with the quantity coming back. */
  products: { line: number; quantity: number }[];
}

export interface RmaStore {
  count(account: Account): number;
  /**
   * A customer opens a return (status 2 new) on a finalized order: eMAG's customers return
   * delivered products (API doc "Processing return requests": a new request is 2, the seller
   * then approves or cancels it). Answers the new return's index.
   */
  open(account: Account, opened: OpenedReturn): number;
  header(account: Account, index: number): RmaHeader;
  find(account: Account, emagId: number): number;
  json(account: Account, index: number): Record<string, unknown>;
  overlay(account: Account, index: number): RmaOverlay | undefined;
  mutate(account: Account, index: number, patch: RmaOverlay): void;
  reset(): void;
  /** What the store keeps across restarts (`SandboxOptions.stateDir`): changes and opened returns. */
  snapshot(): RmaStoreSnapshot;
  restore(saved: RmaStoreSnapshot): void;
}

export interface RmaStoreSnapshot {
  overlays: [string, RmaOverlay][];
  opened: [string, OpenedReturn[]][];
}

const RMA_PER_ORDERS = 40;
const RMA_ID_BASE = 3_000_000;
const RMA_ID_BLOCK = 1_000_000;
const DAY = 86_400_000;

export function createRmaStore(orders: OrderStore): RmaStore {
  let overlays = new Map<string, RmaOverlay>();
  let opened = new Map<string, OpenedReturn[]>();
  const key = (account: Account, index: number) => `${account.key}:${index}`;

  const seededCount = (account: Account): number => Math.floor(orders.of(account).seeded / RMA_PER_ORDERS);
  const count = (account: Account): number => seededCount(account) + (opened.get(account.key)?.length ?? 0);
  const openedAt = (account: Account, index: number): OpenedReturn | undefined =>
    opened.get(account.key)?.[index - seededCount(account)];

  const header = (account: Account, index: number): RmaHeader => {
    const acc = orders.of(account);
    const extra = openedAt(account, index);
    if (extra)
      return {
        index,
        emagId: RMA_ID_BASE + account.ordinal * RMA_ID_BLOCK + index,
        orderIndex: extra.orderIndex,
        createdAt: extra.createdAt,
        status: overlays.get(key(account, index))?.status ?? 2,
      };
    // Spread returns over the history; each points at a delivered order near its slot.
    let orderIndex = Math.min(acc.seeded - 1, index * RMA_PER_ORDERS + (index % RMA_PER_ORDERS));
    for (let k = 0; k < RMA_PER_ORDERS && orderIndex > 0; k++) {
      const s = orders.header(acc, orderIndex).status;
      if (s === 4 || s === 5) break;
      orderIndex--;
    }
    const createdAt = orders.createdAt(acc, orderIndex) + 4 * DAY;
    const age = orders.anchor - createdAt;
    const roll = ((index * 2654435761) >>> 0) % 100;
    let status: number;
    if (age < 5 * DAY) status = roll < 10 ? 1 : roll < 55 ? 2 : roll < 80 ? 3 : 6;
    else status = roll < 60 ? 7 : roll < 75 ? 4 : roll < 90 ? 5 : 6;
    const o = overlays.get(key(account, index));
    return {
      index,
      emagId: RMA_ID_BASE + account.ordinal * RMA_ID_BLOCK + index,
      orderIndex,
      createdAt: Math.min(createdAt, orders.anchor),
      status: o?.status ?? status,
    };
  };

  return {
    count,
    header,
    open: (account, entry) => {
      const list = opened.get(account.key) ?? [];
      list.push(entry);
      opened.set(account.key, list);
      return seededCount(account) + list.length - 1;
    },
    find: (account, emagId) => {
      const index = emagId - RMA_ID_BASE - account.ordinal * RMA_ID_BLOCK;
      return Number.isInteger(index) && index >= 0 && index < count(account) ? index : -1;
    },
    overlay: (account, index) => overlays.get(key(account, index)),
    mutate: (account, index, patch) => {
      overlays.set(key(account, index), { ...overlays.get(key(account, index)), ...patch });
    },
    reset: () => {
      overlays = new Map();
      opened = new Map();
    },
    snapshot: () => ({ overlays: [...overlays], opened: [...opened] }),
    restore: (saved) => {
      overlays = new Map(saved.overlays);
      opened = new Map(saved.opened);
    },
    json: (account, index) => {
      const h = header(account, index);
      const acc = orders.of(account);
      const order = orders.order(acc, h.orderIndex);
      const customer = order.customer as Record<string, string | number>;
      const lines = order.products as Record<string, unknown>[];
      const rng = rngFor(orders.seed, 'rma', account.key, index);
      const returnType = rng.pick([1, 3, 3, 3, 5]);
      const o = overlays.get(key(account, index));
      return {
        emag_id: h.emagId,
        id: o?.sellerId ?? null,
        order_id: order.id,
        type: order.type,
        is_full_fbe: order.type === 2 ? 1 : 0,
        is_club: 0,
        is_fast: 0,
        customer_name: customer.name,
        customer_company: customer.legal_entity === 1 ? customer.company : null,
        customer_phone: customer.phone_1,
        products: (
          openedAt(account, index)?.products.map((p) => ({ line: lines[p.line]!, quantity: p.quantity })) ??
          lines.slice(0, 1).map((line) => ({ line, quantity: 1 }))
        ).map(({ line, quantity }, k) => ({
          id: index * 4 + k + 1,
          product_emag_id: line.mkt_id,
          product_id: line.product_id,
          part_number_key: line.part_number_key,
          product_name: line.name,
          quantity,
          return_reason: rng.pick([1, 2, 4, 8, 11]),
          observations: rng.pick(['', 'Produsul nu corespunde descrierii', 'Nu mai am nevoie de produs']),
          diagnostic: null,
          reject_reason: null,
          refund_value: returnType === 3 ? fmt4(Math.round(Number(line.sale_price) * 10000)) : null,
        })),
        pickup_country: customer.shipping_country,
        pickup_suburb: customer.shipping_suburb,
        pickup_city: customer.shipping_city,
        pickup_address: customer.shipping_street,
        pickup_zipcode: customer.shipping_postal_code,
        pickup_locality_id: Number(customer.shipping_locality_id),
        pickup_method: rng.pick([1, 1, 2, 3]),
        return_type: returnType,
        return_address_id: null,
        return_tax_value: null,
        customer_account_iban: returnType === 3 && order.payment_mode_id === 1 ? customer.iban || null : null,
        customer_account_bank: null,
        customer_account_beneficiary: returnType === 3 ? customer.name : null,
        replacement_product_emag_id: null,
        replacement_product_id: null,
        replacement_product_name: null,
        replacement_product_quantity: null,
        date: formatDate(h.createdAt),
        modified: formatDate(o?.modified ?? h.createdAt),
        request_status: h.status,
        awbs: [],
      };
    },
  };
}
