import type { Account } from './accounts.ts';
import { hashString, mix } from './hash.ts';
import { buildOrder, type OrderOverlay } from './order-generator.ts';
import {
  HISTORY_MS,
  orderId,
  orderIndex,
  seededHeader,
  seededModifiedDelay,
  type OrderHeader,
} from './order-header.ts';

/**
 * One account's orders: `seeded` orders computed on demand from (seed, index), plus orders
 * added while running, plus an overlay of mutations. Only the filterable header fields are
 * materialised, as typed arrays (4 bytes per order), built the first time they are needed.
 */
export interface AccountOrders {
  account: Account;
  accountSeed: number;
  seeded: number;
  count: number;
  overlay: Map<number, OrderOverlay>;
  headers: Headers | undefined;
}

export interface Headers {
  type: Uint8Array;
  status: Uint8Array;
  payment: Uint8Array;
  complete: Uint8Array;
}

/** What an order store keeps across restarts (`SandboxOptions.stateDir`); seeded orders are recomputed. */
export interface OrderStoreSnapshot {
  accounts: {
    key: string;
    count: number;
    overlay: [number, OrderOverlay][];
    /** Header columns (type, status, payment, complete) of the orders added while running. */
    added: [number, number, number, number][];
  }[];
}

export interface OrderStoreOptions {
  seed: string;
  ordersPerAccount: number;
  /** Creation time of the newest seeded order (the sandbox's start). */
  anchor: number;
}

export interface OrderStore {
  seed: string;
  anchor: number;
  of(account: Account): AccountOrders;
  header(acc: AccountOrders, index: number): OrderHeader;
  /** The raw header arrays (valid for indexes < acc.count), for scans. */
  arrays(acc: AccountOrders): Headers;
  createdAt(acc: AccountOrders, index: number): number;
  modifiedAt(acc: AccountOrders, index: number): number;
  statusChangedAt(acc: AccountOrders, index: number): number;
  find(acc: AccountOrders, id: number): number;
  id(acc: AccountOrders, index: number): number;
  order(acc: AccountOrders, index: number): Record<string, unknown>;
  /** Merges a mutation into the overlay and keeps the header arrays in step. */
  mutate(acc: AccountOrders, index: number, patch: OrderOverlay): void;
  add(acc: AccountOrders, options: { type?: 2 | 3; paymentModeId?: 1 | 2 | 3; now: number }): number;
  reset(): void;
  snapshot(): OrderStoreSnapshot;
  /** Takes back what a previous run kept (accounts it does not know are left out). */
  restore(saved: OrderStoreSnapshot, accounts: readonly Account[]): void;
}

export function createOrderStore(options: OrderStoreOptions): OrderStore {
  const { seed, anchor, ordersPerAccount } = options;
  const spacing = ordersPerAccount > 0 ? HISTORY_MS / ordersPerAccount : 0;
  let accounts = new Map<string, AccountOrders>();

  const seededCreatedAt = (index: number): number => Math.floor(anchor - HISTORY_MS + (index + 1) * spacing);

  const of = (account: Account): AccountOrders => {
    let acc = accounts.get(account.key);
    if (!acc) {
      const accountSeed = mix(hashString(seed), hashString(account.key));
      acc = {
        account,
        accountSeed,
        seeded: ordersPerAccount,
        count: ordersPerAccount,
        overlay: new Map(),
        headers: undefined,
      };
      accounts.set(account.key, acc);
    }
    return acc;
  };

  const headers = (acc: AccountOrders): Headers => {
    if (acc.headers && acc.headers.type.length >= acc.count) return acc.headers;
    const capacity = Math.max(16, acc.count + (acc.count >> 3));
    const next: Headers = {
      type: new Uint8Array(capacity),
      status: new Uint8Array(capacity),
      payment: new Uint8Array(capacity),
      complete: new Uint8Array(capacity),
    };
    const old = acc.headers;
    const from = old ? old.type.length : 0;
    if (old) {
      next.type.set(old.type);
      next.status.set(old.status);
      next.payment.set(old.payment);
      next.complete.set(old.complete);
    }
    for (let i = from; i < Math.min(acc.seeded, capacity); i++) {
      const h = seededHeader(acc.accountSeed, acc.account, i, anchor - seededCreatedAt(i));
      next.type[i] = h.type;
      next.status[i] = h.status;
      next.payment[i] = h.paymentModeId;
      next.complete[i] = h.isComplete;
    }
    acc.headers = next;
    return next;
  };

  const header = (acc: AccountOrders, index: number): OrderHeader => {
    const h = headers(acc);
    return {
      type: h.type[index] as 2 | 3,
      status: h.status[index]!,
      paymentModeId: h.payment[index] as 1 | 2 | 3,
      isComplete: h.complete[index] as 0 | 1,
    };
  };

  const createdAt = (acc: AccountOrders, index: number): number =>
    acc.overlay.get(index)?.createdAt ?? seededCreatedAt(index);

  const modifiedAt = (acc: AccountOrders, index: number): number => {
    const o = acc.overlay.get(index);
    if (o?.modified !== undefined) return o.modified;
    if (o?.createdAt !== undefined) return o.createdAt;
    const created = seededCreatedAt(index);
    const status = headers(acc).status[index]!;
    return Math.min(anchor, created + seededModifiedDelay(acc.accountSeed, index, status));
  };

  const store: OrderStore = {
    seed,
    anchor,
    of,
    header,
    arrays: headers,
    createdAt,
    modifiedAt,
    statusChangedAt: (acc, index) => acc.overlay.get(index)?.statusChangedAt ?? modifiedAt(acc, index),
    find: (acc, id) => {
      const index = orderIndex(acc.accountSeed, acc.account, id);
      return index >= 0 && index < acc.count ? index : -1;
    },
    id: (acc, index) => orderId(acc.accountSeed, acc.account, index),
    order: (acc, index) =>
      buildOrder({
        seed,
        accountSeed: acc.accountSeed,
        account: acc.account,
        index,
        id: orderId(acc.accountSeed, acc.account, index),
        header: header(acc, index),
        createdAt: createdAt(acc, index),
        modifiedAt: modifiedAt(acc, index),
        overlay: acc.overlay.get(index),
      }),
    mutate: (acc, index, patch) => {
      const merged = { ...acc.overlay.get(index), ...patch };
      acc.overlay.set(index, merged);
      if (patch.status !== undefined) headers(acc).status[index] = patch.status;
    },
    add: (acc, { type, paymentModeId, now }) => {
      const index = acc.count;
      acc.count += 1;
      const h = headers(acc);
      const seededLike = seededHeader(acc.accountSeed, acc.account, index, 0);
      h.type[index] = type ?? seededLike.type;
      h.status[index] = 1;
      h.payment[index] = paymentModeId ?? seededLike.paymentModeId;
      h.complete[index] = 1;
      // Keep creation times non-decreasing so date filters can binary-search.
      const last = index > 0 ? createdAt(acc, index - 1) : 0;
      acc.overlay.set(index, { createdAt: Math.max(now, last) });
      return index;
    },
    reset: () => {
      accounts = new Map();
    },
    snapshot: () => ({
      accounts: [...accounts.values()].map((acc) => {
        const h = headers(acc);
        const added: [number, number, number, number][] = [];
        for (let i = acc.seeded; i < acc.count; i++)
          added.push([h.type[i] ?? 0, h.status[i] ?? 0, h.payment[i] ?? 0, h.complete[i] ?? 0]);
        return { key: acc.account.key, count: acc.count, overlay: [...acc.overlay], added };
      }),
    }),
    restore: (saved, known) => {
      for (const kept of saved.accounts) {
        const account = known.find((a) => a.key === kept.key);
        if (!account) continue;
        const acc = of(account);
        acc.count = Math.max(acc.seeded, kept.count);
        for (const [index, overlay] of kept.overlay) acc.overlay.set(index, overlay);
        const h = headers(acc);
        kept.added.forEach(([type, status, payment, complete], k) => {
          const index = acc.seeded + k;
          h.type[index] = type;
          h.status[index] = status;
          h.payment[index] = payment;
          h.complete[index] = complete;
        });
        for (const [index, overlay] of kept.overlay)
          if (overlay.status !== undefined && index < acc.count) h.status[index] = overlay.status;
      }
    },
  };
  return store;
}
