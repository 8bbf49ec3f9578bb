import { describe, expect, it } from 'vitest';
import { toRateRule } from './rate-rules.ts';

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
