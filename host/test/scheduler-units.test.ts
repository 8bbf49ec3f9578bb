import { describe, expect, it } from 'vitest';
import {
  intervalToMs,
  isRetryable,
  NonRetryableError,
  retryDelayMs,
  toIntegrationJobSpec,
} from '../src/scheduler/index.ts';

describe('retryDelayMs', () => {
  const policy = { attempts: 6, backoff: 'exponential', initialDelayMs: 1000, maxDelayMs: 20_000 } as const;

  it('doubles per retry, caps at maxDelayMs and stops after `attempts` retries', () => {
    const full = [1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(policy, n, () => 1));
    expect(full).toEqual([1000, 2000, 4000, 8000, 16_000, 20_000, undefined]);
  });

  it('jitters within [half, full] of the delay', () => {
    expect(retryDelayMs(policy, 3, () => 0)).toBe(2000);
    expect(retryDelayMs(policy, 3, () => 0.5)).toBe(3000);
  });

  it('keeps a fixed policy fixed and honours zero attempts', () => {
    expect(retryDelayMs({ ...policy, backoff: 'fixed' }, 5, () => 1)).toBe(1000);
    expect(retryDelayMs({ ...policy, attempts: 0 }, 1)).toBeUndefined();
  });

  it('treats errors marked retryable: false as final', () => {
    expect(isRetryable(new NonRetryableError('no'))).toBe(false);
    expect(isRetryable(Object.assign(new Error('no'), { retryable: false }))).toBe(false);
    expect(isRetryable(new Error('maybe'))).toBe(true);
  });
});

describe('manifest job → schedule', () => {
  it('reads a fixed interval', () => {
    expect(intervalToMs({ every: '15 minutes' })).toBe(900_000);
    expect(intervalToMs({ every: '30 seconds' })).toBe(30_000);
  });

  it('reads the interval from a setting, in the unit the manifest names', () => {
    const interval = { setting: 'syncFrequencyMinutes', unit: 'minutes' } as const;
    expect(intervalToMs(interval, { syncFrequencyMinutes: 5 })).toBe(300_000);
    expect(intervalToMs({ setting: 'every', unit: 'seconds' }, { every: 2 })).toBe(2000);
    expect(() => intervalToMs(interval, {})).toThrow(/syncFrequencyMinutes/);
    expect(() => intervalToMs(interval, { syncFrequencyMinutes: 0 })).toThrow(/positive/);
  });

  it('maps a manifest job with the schema defaults for retry', () => {
    const spec = toIntegrationJobSpec(
      { id: 'orders', interval: { setting: 'syncFrequencyMinutes', unit: 'minutes' }, timeoutMs: 60_000 },
      { syncFrequencyMinutes: 10 },
    );
    expect(spec).toEqual({
      jobId: 'orders',
      intervalMs: 600_000,
      retry: { attempts: 6, backoff: 'exponential', initialDelayMs: 1000, maxDelayMs: 300_000 },
      timeoutMs: 60_000,
    });
  });
});
