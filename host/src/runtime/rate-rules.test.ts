import { describe, expect, it } from 'vitest';
import { headerWaitMs, toRateRule } from './rate-rules.ts';

const context = { pluginId: 'ksef', accountKey: 'acct-1', clientKey: 'client-1', config: {} };
// KSeF "other" (limity-api.md): 10 a second, 30 a minute, 120 an hour, in sliding windows.
const other = {
  group: 'other',
  limit: 30,
  per: 60,
  windows: [
    { limit: 10, per: 1 },
    { limit: 120, per: 3600 },
  ],
  spacing: 'sliding' as const,
  scope: 'account' as const,
  configOverride: 'KSEF_RATE_LIMIT_OTHER',
};

describe('toRateRule', () => {
  it('carries every window and the sliding spacing of a manifest group', () => {
    expect(toRateRule(other, context)).toEqual({
      key: 'ksef:other:account:acct-1',
      limit: 30,
      perSeconds: 60,
      windows: [
        { limit: 10, perSeconds: 1 },
        { limit: 120, perSeconds: 3600 },
      ],
      spacing: 'sliding',
    });
  });

  it('scales the further windows with a config override (the test environment: 10× each)', () => {
    const rule = toRateRule(other, { ...context, config: { KSEF_RATE_LIMIT_OTHER: '300' } });
    expect(rule?.limit).toBe(300);
    expect(rule?.windows).toEqual([
      { limit: 100, perSeconds: 1 },
      { limit: 1200, perSeconds: 3600 },
    ]);
  });

  it('leaves a plain group evenly spaced with no further windows', () => {
    const rule = toRateRule(
      { group: 'orders', limit: 12, per: 1, spacing: 'even', scope: 'account' },
      context,
    );
    expect(rule).toEqual({ key: 'ksef:orders:account:acct-1', limit: 12, perSeconds: 1 });
  });

  it('holds nothing back for a group the API does not limit (KSeF storage links)', () => {
    expect(
      toRateRule({ group: 'storage', unlimited: true, spacing: 'even', scope: 'account' }, context),
    ).toBe(undefined);
  });
});

describe('the budget an API reports in its headers (manifest fromHeaders)', () => {
  const context = { pluginId: 'shop', accountKey: 'acct-1', clientKey: 'c', config: {} };
  const headers = (values: Record<string, string>) => (name: string) => values[name.toLowerCase()] ?? null;
  const bucket = toRateRule(
    {
      group: 'api',
      limit: 2,
      per: 1,
      spacing: 'even',
      scope: 'account',
      fromHeaders: { bucket: 'X-Shopify-Shop-Api-Call-Limit', keep: 4 },
    },
    context,
  )!;
  const window = toRateRule(
    {
      group: 'api',
      limit: 10,
      per: 1,
      spacing: 'even',
      scope: 'account',
      fromHeaders: { remaining: 'X-RateLimit-Remaining', reset: 'X-RateLimit-Reset', keep: 1 },
    },
    context,
  )!;

  it('a leaky bucket: waits for what must leak out (at the group pace unless told) to keep its reserve free', () => {
    expect(bucket.fromHeaders).toEqual({
      bucket: 'X-Shopify-Shop-Api-Call-Limit',
      keep: 4,
      leakPerSecond: 2,
    });
    expect(headerWaitMs(bucket, headers({ 'x-shopify-shop-api-call-limit': '20/40' }))).toBe(0);
    // 37 of 40 used: 3 left, 4 kept in hand → 2 must leak out at 2 a second.
    expect(headerWaitMs(bucket, headers({ 'x-shopify-shop-api-call-limit': '37/40' }))).toBe(1000);
    expect(headerWaitMs(bucket, headers({ 'x-shopify-shop-api-call-limit': '40/40' }))).toBe(2500);
    expect(headerWaitMs(bucket, headers({}))).toBe(0);
  });

  it('a window: waits until the reset it names (seconds, or a Unix time), a second when it names none', () => {
    const now = Date.parse('2026-12-06T10:00:00Z');
    expect(headerWaitMs(window, headers({ 'x-ratelimit-remaining': '7' }), now)).toBe(0);
    expect(
      headerWaitMs(window, headers({ 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': '3' }), now),
    ).toBe(3000);
    expect(
      headerWaitMs(
        window,
        headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 12) }),
        now,
      ),
    ).toBe(12_000);
    expect(headerWaitMs(window, headers({ 'x-ratelimit-remaining': '0' }), now)).toBe(1000);
  });
});
