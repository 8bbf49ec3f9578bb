import type { RetryPolicy } from './types.ts';

/**
 * Delay before retry number `retry` (1-based) of a failed run, or `undefined` when the policy's
 * attempts are spent. Exponential: initial · 2^(retry-1), capped at `maxDelayMs`, with "equal
 * jitter" (half fixed, half random) so that many integrations failing together (a marketplace
 * outage) do not retry in lock-step, while each delay still grows.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  retry: number,
  random: () => number = Math.random,
): number | undefined {
  if (retry < 1 || retry > policy.attempts) return undefined;
  const base =
    policy.backoff === 'fixed'
      ? policy.initialDelayMs
      : Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (retry - 1));
  const capped = Math.min(base, policy.maxDelayMs);
  const half = capped / 2;
  return Math.round(half + half * random());
}
