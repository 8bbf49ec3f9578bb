import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limit.ts';

describe('rate limiter', () => {
  it('allows `limit` requests per window per key, then blocks for blockMs', () => {
    let t = 1000;
    const limiter = createRateLimiter({ limit: 3, windowMs: 100, blockMs: 500, now: () => t });
    expect([1, 2, 3].map(() => limiter.hit('a').allowed)).toEqual([true, true, true]);
    const over = limiter.hit('a');
    expect(over).toMatchObject({ allowed: false, reason: 'limit', retryAfterMs: 500 });
    expect(limiter.hit('b').allowed).toBe(true); // keys are independent
    t += 200; // new window, but still blocked
    expect(limiter.hit('a')).toMatchObject({ allowed: false, reason: 'blocked', retryAfterMs: 300 });
    t += 300;
    expect(limiter.hit('a')).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('without blockMs refuses only until the window ends', () => {
    let t = 0;
    const limiter = createRateLimiter({ limit: 1, windowMs: 100, now: () => t });
    expect(limiter.hit('k').allowed).toBe(true);
    expect(limiter.hit('k')).toMatchObject({ allowed: false, retryAfterMs: 100 });
    t = 100;
    expect(limiter.hit('k').allowed).toBe(true);
  });

  it('can be reconfigured and reset at run time', () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 60_000 });
    limiter.hit('k');
    expect(limiter.hit('k').allowed).toBe(false);
    limiter.reset();
    limiter.configure({ limit: 2 });
    expect(limiter.options.limit).toBe(2);
    expect([limiter.hit('k').allowed, limiter.hit('k').allowed, limiter.hit('k').allowed]).toEqual([
      true,
      true,
      false,
    ]);
  });
});
