import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter, type RateRule } from '../src/runtime/rate-limiter.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/database.ts';

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

  it('evenly spaced, a rule with further windows keeps the pace of the tightest', () => {
    const limiter = new RateLimiter({ pool: t.db.coordination, safety: 1, marginMs: 0 });
    // 10 a second alone would be 100 ms apart; 30 a minute makes it 2 s.
    const rule: RateRule = { key: 'x', limit: 10, perSeconds: 1, windows: [{ limit: 30, perSeconds: 60 }] };
    expect(limiter.intervalSeconds(rule)).toBeCloseTo(2, 6);
  });

  it('sliding windows (KSeF, limity-api.md): a burst goes at once, then every window holds at most its limit', async () => {
    const limiter = new RateLimiter({ pool: t.db.coordination, safety: 1, marginMs: 100 });
    // Scaled down from KSeF's 10/s + 30/min: 3 in any 0.5 s and 5 in any 2 s.
    const rule: RateRule = {
      key: 'test:sliding',
      limit: 3,
      perSeconds: 0.5,
      windows: [{ limit: 5, perSeconds: 2 }],
      spacing: 'sliding',
    };
    const started = performance.now();
    // Two callers at once, as two jobs of one account would be.
    const sent: number[] = [];
    await Promise.all(
      [0, 1].map(async () => {
        for (let i = 0; i < 4; i++) {
          await limiter.acquire(rule);
          sent.push(performance.now() - started);
        }
      }),
    );
    sent.sort((a, b) => a - b);
    // The first three together (no even spacing), the fourth only once the half second is over.
    expect(sent[2]!).toBeLessThan(250);
    expect(sent[3]!).toBeGreaterThanOrEqual(590);
    // The sixth waits for the two-second window of the first.
    expect(sent[5]!).toBeGreaterThanOrEqual(2090);
    const most = (ms: number) =>
      Math.max(...sent.map((from) => sent.filter((at) => at >= from && at < from + ms).length));
    expect(most(500)).toBeLessThanOrEqual(3);
    expect(most(2000)).toBeLessThanOrEqual(5);
  });

  it('sliding windows: a pause (429 with Retry-After) holds every caller of the bucket', async () => {
    const limiter = new RateLimiter({ pool: t.db.coordination, safety: 1 });
    const rule: RateRule = { key: 'test:sliding-pause', limit: 100, perSeconds: 1, spacing: 'sliding' };
    const started = performance.now();
    await limiter.pause(rule.key, 600);
    await limiter.acquire(rule);
    expect(performance.now() - started).toBeGreaterThanOrEqual(590);
  });
});
