import type { Account } from './accounts.ts';
import { mix } from './hash.ts';

/**
 * The cheap part of an order: what filters look at (type, status, payment mode, dates).
 * Derived from one hash of (seed, account, index) so a filter can scan 100 000 orders
 * in a millisecond without building any order object.
 */
export interface OrderHeader {
  type: 2 | 3;
  status: number;
  paymentModeId: 1 | 2 | 3;
  isComplete: 0 | 1;
}

const DAY = 86_400_000;
/** Orders are spread over the 90 days before the sandbox started. */
export const HISTORY_MS = 90 * DAY;
/** Order ids start above 2^31 (clients must not store them in int32), one block per account. */
export const ORDER_ID_BASE = 2_200_000_000;
const ID_BLOCK = 20_000_000;
const ID_STRIDE = 10;

export function orderId(accountSeed: number, account: Account, index: number): number {
  return (
    ORDER_ID_BASE +
    account.ordinal * ID_BLOCK +
    index * ID_STRIDE +
    (mix(accountSeed, index ^ 0x5bd1e995) % ID_STRIDE)
  );
}

/** The index an order id would have, or -1 when the id is not one of this account's. */
export function orderIndex(accountSeed: number, account: Account, id: number): number {
  const offset = id - ORDER_ID_BASE - account.ordinal * ID_BLOCK;
  if (!Number.isInteger(offset) || offset < 0 || offset >= ID_BLOCK) return -1;
  const index = Math.floor(offset / ID_STRIDE);
  return orderId(accountSeed, account, index) === id ? index : -1;
}

/** Seeded header of order `index` whose creation time is `createdAt` (ms) and age `ageMs`. */
export function seededHeader(
  accountSeed: number,
  account: Account,
  index: number,
  ageMs: number,
): OrderHeader {
  const h = mix(accountSeed, index);
  const r1 = (h & 0xffff) / 0x10000;
  const r2 = (h >>> 16) / 0x10000;
  // The FBE account mostly holds orders eMAG fulfils (type 2); main holds seller orders (type 3).
  const type: 2 | 3 = account.kind === 'fbe' && r2 < 0.8 ? 2 : 3;
  let status: number;
  if (ageMs < DAY / 2) status = r1 < 0.6 ? 1 : r1 < 0.9 ? 2 : 0;
  else if (ageMs < 3 * DAY) status = r1 < 0.4 ? 2 : r1 < 0.8 ? 3 : r1 < 0.95 ? 4 : 0;
  else status = r1 < 0.85 ? 4 : r1 < 0.93 ? 0 : 5;
  const r3 = ((h >>> 8) & 0xff) / 0x100;
  const paymentModeId: 1 | 2 | 3 = r3 < 0.55 ? 1 : r3 < 0.65 ? 2 : 3;
  const isComplete: 0 | 1 = status === 1 && r2 > 0.9 ? 0 : 1;
  return { type, status, paymentModeId, isComplete };
}

/** Minutes after creation of the last change, for seeded orders (0 for new ones). */
export function seededModifiedDelay(accountSeed: number, index: number, status: number): number {
  if (status === 1) return 0;
  return (mix(accountSeed ^ 0x27d4eb2d, index) % (2 * 24 * 60)) * 60_000;
}
