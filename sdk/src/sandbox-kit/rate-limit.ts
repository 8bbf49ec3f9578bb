/**
 * Fixed-window rate limiter per key, with an optional block after a breach — the shape of both
 * Allegro's limit (9000 req/min per client id, then blocked for a minute) and eMAG's
 * (12 or 3 req/s per account, 429 until the window ends).
 */
export interface RateLimitOptions {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
  /** After the limit is exceeded the key is refused for this long (0: only until the window ends). */
  blockMs?: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

export type RateDecision =
  | { allowed: true; limit: number; remaining: number; resetMs: number }
  | { allowed: false; limit: number; reason: 'limit' | 'blocked'; retryAfterMs: number };

export interface RateLimiter {
  /** Counts one request for `key` and says whether it may proceed. */
  hit(key: string): RateDecision;
  /** Current settings (after `configure`). */
  readonly options: Readonly<Required<Omit<RateLimitOptions, 'now'>>>;
  configure(patch: Partial<Omit<RateLimitOptions, 'now'>>): void;
  reset(): void;
}

interface Window {
  start: number;
  count: number;
  blockedUntil: number;
}

export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const now = options.now ?? Date.now;
  const settings = { limit: options.limit, windowMs: options.windowMs, blockMs: options.blockMs ?? 0 };
  let windows = new Map<string, Window>();
  return {
    get options() {
      return { ...settings };
    },
    configure(patch) {
      Object.assign(settings, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    },
    reset() {
      windows = new Map();
    },
    hit(key) {
      const t = now();
      let w = windows.get(key);
      if (w && w.blockedUntil > t) {
        return { allowed: false, limit: settings.limit, reason: 'blocked', retryAfterMs: w.blockedUntil - t };
      }
      if (!w || t - w.start >= settings.windowMs) {
        w = { start: t, count: 0, blockedUntil: 0 };
        windows.set(key, w);
      }
      w.count++;
      const windowEnd = w.start + settings.windowMs;
      if (w.count > settings.limit) {
        w.blockedUntil = settings.blockMs > 0 ? t + settings.blockMs : windowEnd;
        return { allowed: false, limit: settings.limit, reason: 'limit', retryAfterMs: w.blockedUntil - t };
      }
      return {
        allowed: true,
        limit: settings.limit,
        remaining: settings.limit - w.count,
        resetMs: windowEnd - t,
      };
    },
  };
}
