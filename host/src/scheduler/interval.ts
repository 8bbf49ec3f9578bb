import { durationToMs } from '@mch/schemas';
import type { IntegrationJobSpec, RetryPolicy } from './types.ts';

/** The manifest's `interval` (schemas/src/manifest/jobs.ts), typed narrowly to what we read. */
export type ManifestInterval =
  { every: string } | { setting: string; unit?: 'seconds' | 'minutes' | 'hours' | undefined };

const UNIT_MS = { seconds: 1000, minutes: 60_000, hours: 3_600_000 } as const;

/**
 * A manifest job's interval in milliseconds: fixed (`{ every: '15 minutes' }`) or read from the
 * integration's settings (`{ setting: 'syncFrequencyMinutes', unit: 'minutes' }`). A missing or
 * non-positive setting is an error the caller shows to the user (the settings schema should have
 * refused it, with a default).
 */
export function intervalToMs(interval: ManifestInterval, settings: Record<string, unknown> = {}): number {
  if ('every' in interval) return durationToMs(interval.every);
  const value = settings[interval.setting];
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(
      `Setting '${interval.setting}' must be a positive number to schedule the job (got ${JSON.stringify(value)}).`,
    );
  }
  return Math.round(value * UNIT_MS[interval.unit ?? 'minutes']);
}

/** The parts of a manifest job (`@mch/schemas` `Job`) that drive scheduling. */
export interface ManifestJobLike {
  id: string;
  interval: ManifestInterval;
  retry?: Partial<RetryPolicy> | undefined;
  concurrency?: number | undefined;
  timeoutMs?: number | undefined;
}

/** Defaults as in the manifest schema (seeds: 6 exponential retries). */
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 6,
  backoff: 'exponential',
  initialDelayMs: 1000,
  maxDelayMs: 300_000,
};

/** Maps one manifest job and the integration's settings to what `scheduleIntegrationJobs` takes. */
export function toIntegrationJobSpec(
  job: ManifestJobLike,
  settings: Record<string, unknown> = {},
): IntegrationJobSpec {
  return {
    jobId: job.id,
    intervalMs: intervalToMs(job.interval, settings),
    retry: { ...DEFAULT_RETRY, ...job.retry },
    ...(job.concurrency !== undefined ? { concurrency: job.concurrency } : {}),
    ...(job.timeoutMs !== undefined ? { timeoutMs: job.timeoutMs } : {}),
  };
}
