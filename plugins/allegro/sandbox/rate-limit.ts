import type { RateDecision, RateLimiter, RateLimitOptions } from '@mch/plugin-sdk/sandbox-kit';

/**
 * Allegro's per-client-id limit (reference/README.md "Limits"): `limit` requests per window; the
 * request over it starts a block of `blockMs`. Every request sent during the block lengthens it,
 * the more so the more of them come (Correction: allegro-api #3454 "takie działanie wydłuża czas
 * trwania blokady (jej czas uzależniony jest od intensywności requestów)", #3588, #6754): the
 * block then ends `blockMs × (1 + strikes / 10)` after the latest request, `strikes` counting
 * the requests refused in this block. A client that stops sending sees it end on time.
 */
export function createAllegroRateLimiter(options: RateLimitOptions): RateLimiter {
  const now = options.now ?? Date.now;
  const settings = { limit: options.limit, windowMs: options.windowMs, blockMs: options.blockMs ?? 0 };
  let windows = new Map<string, { start: number; count: number; blockedUntil: number; strikes: number }>();
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
    hit(key): RateDecision {
      const t = now();
      let w = windows.get(key);
      if (w && w.blockedUntil > t) {
        w.strikes++;
        w.blockedUntil = Math.max(w.blockedUntil, t + settings.blockMs * (1 + w.strikes / 10));
        return { allowed: false, limit: settings.limit, reason: 'blocked', retryAfterMs: w.blockedUntil - t };
      }
      if (!w || t - w.start >= settings.windowMs) {
        w = { start: t, count: 0, blockedUntil: 0, strikes: 0 };
        windows.set(key, w);
      }
      w.count++;
      const windowEnd = w.start + settings.windowMs;
      if (w.count > settings.limit) {
        w.strikes = 0;
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
