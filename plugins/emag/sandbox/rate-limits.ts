import { createRateLimiter, type RateLimiter } from '@mch/plugin-sdk/sandbox-kit';

/**
 * eMAG's per-account limits (API doc 1.4 "Rate limiting"): 12 req/s for order routes and
 * 3 req/s for all other resources together; invalid requests count too. Each group has a
 * 1-second window (the published rule) and a 3-second one whose state is reported in the
 * documented `X-RateLimit-Limit-3second` / `X-RateLimit-Remaining-3second` headers.
 */
export type RateGroup = 'orders' | 'other';

export const PER_SECOND: Record<RateGroup, number> = { orders: 12, other: 3 };

export interface RateVerdict {
  allowed: boolean;
  headers: Record<string, string>;
}

export interface AccountRateLimits {
  hit(group: RateGroup, accountKey: string): RateVerdict;
  reset(): void;
}

export function createAccountRateLimits(now?: () => number): AccountRateLimits {
  const make = (group: RateGroup) => ({
    second: createRateLimiter({ limit: PER_SECOND[group], windowMs: 1000, ...(now ? { now } : {}) }),
    threeSeconds: createRateLimiter({
      limit: PER_SECOND[group] * 3,
      windowMs: 3000,
      ...(now ? { now } : {}),
    }),
  });
  const limiters: Record<RateGroup, { second: RateLimiter; threeSeconds: RateLimiter }> = {
    orders: make('orders'),
    other: make('other'),
  };
  return {
    hit(group, accountKey) {
      const l = limiters[group];
      const perSecond = l.second.hit(accountKey);
      const perThree = l.threeSeconds.hit(accountKey);
      const allowed = perSecond.allowed && perThree.allowed;
      const remaining = perSecond.allowed && perThree.allowed ? perThree.remaining : 0;
      return {
        allowed,
        headers: {
          'X-RateLimit-Limit-3second': String(PER_SECOND[group] * 3),
          'X-RateLimit-Remaining-3second': String(remaining),
        },
      };
    },
    reset() {
      for (const l of Object.values(limiters)) {
        l.second.reset();
        l.threeSeconds.reset();
      }
    },
  };
}
