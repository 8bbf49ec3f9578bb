// Combining parts must never let one silently replace another (STYLE "Avoid"; tRPC's
// mergeRouters refuses duplicate paths the same way): a clash is a programming error, found at start.

type Merged<Parts extends readonly object[]> = Parts extends readonly [
  infer First,
  ...infer Rest extends readonly object[],
]
  ? First & Merged<Rest>
  : unknown;

/** The parts' members in one object; throws when two parts give the same member. */
export function mergeDisjoint<const Parts extends readonly object[]>(
  what: string,
  ...parts: Parts
): Merged<Parts> {
  const merged: Record<PropertyKey, unknown> = {};
  for (const part of parts) {
    for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(part))) {
      if (Object.hasOwn(merged, key))
        throw new Error(
          `${what}: '${key}' is given twice; rename one rather than let it override the other.`,
        );
      // Descriptors, not values: a getter stays a getter.
      Object.defineProperty(merged, key, descriptor);
    }
  }
  return merged as Merged<Parts>;
}

/** A map of the entries; throws when two entries have the same key. */
export function mapOfUnique<K, V>(what: string, entries: Iterable<readonly [K, V]>): Map<K, V> {
  const map = new Map<K, V>();
  for (const [key, value] of entries) {
    if (map.has(key)) throw new Error(`${what}: '${String(key)}' is given twice.`);
    map.set(key, value);
  }
  return map;
}
