import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter, type RateRule } from '../src/runtime/rate-limiter.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

/**
 * The shared limiter on the real database. A 429's pause stops every caller of the bucket until
 * it ends — also callers that reserved their slot before the 429 and were sleeping towards it:
 * requests sent during an Allegro block lengthen it (reference/README.md "Limits", Correction).
 */
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t?.close());

describe('RateLimiter', () => {
  it('spaces requests evenly at limit per window', async () => {
    const limiter = new RateLimiter({ pool: t.db.coordination, safety: 1 });
    const rule: RateRule = { key: 'test:spacing', limit: 20, perSeconds: 1 };
    const started = performance.now();
    for (let i = 0; i < 5; i++) await limiter.acquire(rule);
    // Five slots 50 ms apart: the fifth leaves ≥ 200 ms after the first.
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('spaces slots so that every window absorbs 100 ms of jitter, and at least 1 %', () => {
    const limiter = new RateLimiter({ pool: t.db.coordination });
    // eMAG orders, 12 req/s (API doc 1.4): 12 slots span 1.1 s, so a request up to 100 ms late or
    // early against its neighbours still leaves any one-second window with at most 12.
    const emag = limiter.intervalSeconds({ key: 'emag', limit: 12, perSeconds: 1 });
    expect(emag * 12).toBeCloseTo(1.1, 6);
    // Allegro, 9 000 req/min per client id: the 1 % floor is the larger stretch (600 ms a minute).
    const allegro = limiter.intervalSeconds({ key: 'allegro', limit: 9000, perSeconds: 60 });
    expect(allegro * 9000).toBeCloseTo(60.6, 6);
  });

  it('holds back callers already waiting for a slot when a pause comes in', async () => {
    const limiter = new RateLimiter({ pool: t.db.coordination, safety: 1 });
    const rule: RateRule = { key: 'test:pause', limit: 2, perSeconds: 1 };
    await limiter.acquire(rule); // slot now; the next one is 500 ms later
    const started = performance.now();
    const waiting = limiter.acquire(rule).then(() => performance.now() - started);
    await new Promise((r) => setTimeout(r, 100));
    await limiter.pause(rule.key, 1500); // a 429 said: blocked for 1.5 s
    const sentAfter = await waiting;
    expect(sentAfter).toBeGreaterThanOrEqual(1550);
    expect(await limiter.blockedForMs(rule.key)).toBe(0);
  });

  it('makes new callers wait out a pause without sending', async () => {
    const limiter = new RateLimiter({ pool: t.db.coordination, safety: 1 });
    const rule: RateRule = { key: 'test:blocked', limit: 1000, perSeconds: 1 };
    const started = performance.now();
    await limiter.pause(rule.key, 600);
    expect(await limiter.blockedForMs(rule.key)).toBeGreaterThan(0);
    await limiter.acquire(rule);
    expect(performance.now() - started).toBeGreaterThanOrEqual(590);
  });
});
