import type { IntegrationJobSpec, RetryPolicy } from './types.ts';
/** The manifest's `interval` (schemas/src/manifest/jobs.ts), typed narrowly to what we read. */
export type ManifestInterval = {
    every: string;
} | {
    setting: string;
    unit?: 'seconds' | 'minutes' | 'hours' | undefined;
};
/**
 * A manifest job's interval in milliseconds: fixed (`{ every: '15 minutes' }`) or read from the
 * integration's settings (`{ setting: 'syncFrequencyMinutes', unit: 'minutes' }`). A missing or
 * non-positive setting is an error the caller shows to the user (the settings schema should have
 * refused it, with a default).
 */
export declare function intervalToMs(interval: ManifestInterval, settings?: Record<string, unknown>): number;
/** The parts of a manifest job (`@mch/schemas` `Job`) that drive scheduling. */
export interface ManifestJobLike {
    id: string;
    interval: ManifestInterval;
    retry?: Partial<RetryPolicy> | undefined;
    concurrency?: number | undefined;
    timeoutMs?: number | undefined;
}
/** Defaults as in the manifest schema (seeds: 6 exponential retries). */
export declare const DEFAULT_RETRY: RetryPolicy;
/** Maps one manifest job and the integration's settings to what `scheduleIntegrationJobs` takes. */
export declare function toIntegrationJobSpec(job: ManifestJobLike, settings?: Record<string, unknown>): IntegrationJobSpec;
