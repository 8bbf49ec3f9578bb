/**
 * Cheap integer hashing for the per-index header fields (type, status, payment mode) that
 * filters scan across 100 000 orders: one multiply-mix per order, no generator object.
 * Entity details use the kit's seeded generators (`rngFor`) instead.
 */

/** 32-bit FNV-1a of a string, to turn a seed and an account key into a number. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** An integer mix of two 32-bit values (murmur3 finaliser). */
export function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}
