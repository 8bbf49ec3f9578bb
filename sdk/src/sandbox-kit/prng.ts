/**
 * Seeded pseudo-random numbers for sandboxes. Sandboxes generate data lazily (record i is
 * computed from seed + i on demand), so every consumer derives its own stream with
 * `rngFor(seed, ...parts)` instead of sharing one mutable generator: the same inputs always give
 * the same record, whatever order records are requested in.
 *
 * Algorithms: cyrb53-style string hash to seed sfc32 (public-domain, from the PractRand family);
 * both are tiny, fast and good enough for test data (not for cryptography).
 */

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** Element chosen by weight: `[[value, weight], …]`. */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  /** Decimal string with `places` digits after the point, in [min, max]. */
  decimal(min: number, max: number, places?: number): string;
  /** Random hex string of `length` characters. */
  hex(length: number): string;
  /** RFC 4122 version-4-shaped UUID built from this stream (deterministic). */
  uuid(): string;
}

/** 4 × 32-bit words from any string (cyrb128 variant). */
function hash128(input: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < input.length; i++) {
    const k = input.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}

/** sfc32: returns a float in [0, 1). */
function sfc32(seed: [number, number, number, number]): () => number {
  let [a, b, c, d] = seed;
  const step = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // Discard the first outputs: sfc32 mixes poorly in its first few rounds.
  for (let i = 0; i < 12; i++) step();
  return step;
}

/** A generator from a seed (string or number). Same seed → same sequence. */
export function createRng(seed: string | number): Rng {
  const next = sfc32(hash128(String(seed)));
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const hex = (length: number): string => {
    let out = '';
    while (out.length < length)
      out += Math.floor(next() * 0x10000)
        .toString(16)
        .padStart(4, '0');
    return out.slice(0, length);
  };
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick() needs a non-empty array');
      return items[int(0, items.length - 1)] as T;
    },
    weighted: <T>(items: readonly (readonly [T, number])[]): T => {
      const total = items.reduce((sum, [, w]) => sum + w, 0);
      let roll = next() * total;
      for (const [value, weight] of items) {
        roll -= weight;
        if (roll < 0) return value;
      }
      const last = items.at(-1);
      if (!last) throw new Error('weighted() needs a non-empty array');
      return last[0];
    },
    decimal: (min, max, places = 2) => {
      const scale = 10 ** places;
      const units = int(Math.round(min * scale), Math.round(max * scale));
      return formatUnits(units, places);
    },
    hex,
    uuid: () => {
      const h = hex(32);
      const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
  };
}

/** A generator for one record of a lazily generated collection: `rngFor(seed, 'order', i)`. */
export function rngFor(seed: string | number, ...parts: (string | number)[]): Rng {
  return createRng([String(seed), ...parts.map(String)].join('\u0000'));
}

/**
 * Integer minor units → decimal string (`1999, 2` → `"19.99"`). Sandboxes keep money in integer
 * minor units so sums are exact (Allegro requires totalToPay = lines + delivery to the grosz).
 */
export function formatUnits(units: number, places = 2): string {
  const sign = units < 0 ? '-' : '';
  const abs = Math.abs(Math.round(units));
  if (places === 0) return `${sign}${abs}`;
  const scale = 10 ** places;
  const whole = Math.floor(abs / scale);
  const frac = String(abs % scale).padStart(places, '0');
  return `${sign}${whole}.${frac}`;
}
