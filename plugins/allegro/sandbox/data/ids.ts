import { rngFor } from '@mch/plugin-sdk/sandbox-kit';

/**
 * Checkout form ids are UUIDs that encode (account, order index) so a lazily generated order can
 * be found from its id without storing a map of 100 000 ids: the first group is a per-seed,
 * per-account prefix, the last group the index; the middle groups are seeded noise, checked on parse.
 */
const TWO_24 = 0x1000000;

const keys = new Map<string, { prefix: string; hi: number; lo: number }>();

/** Per-account prefix and 2×24-bit mask that hides the index in the last group (memoised: one per account). */
function accountKey(seed: string | number, accountIndex: number): { prefix: string; hi: number; lo: number } {
  const cacheKey = `${String(seed)}\u0000${accountIndex}`;
  let key = keys.get(cacheKey);
  if (!key) {
    const rng = rngFor(seed, 'form-id', accountIndex);
    key = { prefix: rng.hex(8), hi: rng.int(0, TWO_24 - 1), lo: rng.int(0, TWO_24 - 1) };
    keys.set(cacheKey, key);
  }
  return key;
}

const hex6 = (n: number): string => n.toString(16).padStart(6, '0');

export function checkoutFormId(seed: string | number, accountIndex: number, index: number): string {
  const key = accountKey(seed, accountIndex);
  const noise = rngFor(seed, 'form-id', accountIndex, index).hex(10);
  const variant = (8 + (parseInt(noise[7] ?? '0', 16) % 4)).toString(16);
  const tail = hex6(Math.floor(index / TWO_24) ^ key.hi) + hex6(index % TWO_24 ^ key.lo);
  return `${key.prefix}-${noise.slice(0, 4)}-4${noise.slice(4, 7)}-${variant}${noise.slice(7, 10)}-${tail}`;
}

/** The order index behind an id of this account, or null if the id is not one of its forms. */
export function parseCheckoutFormId(seed: string | number, accountIndex: number, id: string): number | null {
  const match = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-([0-9a-f]{12})$/.exec(id);
  if (!match?.[1]) return null;
  const key = accountKey(seed, accountIndex);
  const index = (parseInt(match[1].slice(0, 6), 16) ^ key.hi) * TWO_24 + (parseInt(match[1].slice(6), 16) ^ key.lo);
  return checkoutFormId(seed, accountIndex, index) === id ? index : null;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An 8-hex revision, like Allegro's (`checkoutForm.revision=819b5836`). */
export function revisionFor(seed: string | number, accountIndex: number, index: number, version: number): string {
  return rngFor(seed, 'revision', accountIndex, index, version).hex(8);
}
