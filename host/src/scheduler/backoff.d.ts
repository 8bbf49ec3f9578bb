import type { RetryPolicy } from './types.ts';
/**
 * Delay before retry number `retry` (1-based) of a failed run, or `undefined` when the policy's
 * attempts are spent. Exponential: initial · 2^(retry-1), capped at `maxDelayMs`, with "equal
 * jitter" (half fixed, half random) so that many integrations failing together (a marketplace
 * outage) do not retry in lock-step, while each delay still grows.
 */
export declare function retryDelayMs(policy: RetryPolicy, retry: number, random?: () => number): number | undefined;
