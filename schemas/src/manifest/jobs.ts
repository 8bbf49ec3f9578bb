import { z } from 'zod';
import { duration, hookName, localId, nonEmpty } from '../patterns.ts';
import { PullSchema } from './pull.ts';

/** A fixed interval, or one read from an integer setting of each integration. */
export const IntervalSchema = z.union([
  z.strictObject({ every: duration }),
  z.strictObject({
    setting: nonEmpty,
    unit: z.enum(['seconds', 'minutes', 'hours']).default('minutes'),
  }),
]);

export const RetrySchema = z.strictObject({
  /** Retries after the first failure; the seeds use 6. */
  attempts: z.number().int().min(0).max(10).default(6),
  backoff: z.enum(['exponential', 'fixed']).default('exponential'),
  initialDelayMs: z.number().int().min(0).default(1000),
  maxDelayMs: z.number().int().min(0).default(300_000),
});

export const JobSchema = z.strictObject({
  id: localId,
  title: nonEmpty,
  description: z.string().optional(),
  /** Name of a hook in the plugin module's `hooks`; a job has either `hook` or `pull` (checks/pull.ts). */
  hook: hookName
    .optional()
    .describe('Name of a hook in the plugin module (definePlugin hooks); a job has either hook or pull.'),
  pull: PullSchema.optional().describe(
    'An HTTP read the host runs with no plugin code (pages, records, mapping, cursor); a job has either hook or pull.',
  ),
  /** The flow (see `flows`) this job implements; switching the flow off skips the job. */
  flow: localId.optional().describe('Flow this job implements; switching the flow off skips the job.'),
  interval: IntervalSchema.describe(
    'Fixed { "every": "15 minutes" } or taken from an integer setting { "setting": "syncFrequencyMinutes", "unit": "minutes" }.',
  ),
  retry: RetrySchema.default({
    attempts: 6,
    backoff: 'exponential',
    initialDelayMs: 1000,
    maxDelayMs: 300_000,
  }),
  concurrency: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(1)
    .describe('Runs of this job at once per integration.'),
  timeoutMs: z
    .number()
    .int()
    .min(1000)
    .default(300_000)
    .describe('A run is aborted (ctx.signal) after this long.'),
  /** Consecutive failed runs after which the integration is disabled (seeds: 5). */
  disableAfterFailures: z
    .number()
    .int()
    .min(1)
    .default(5)
    .describe('Consecutive failed runs after which the integration is disabled.'),
});

export type Interval = z.infer<typeof IntervalSchema>;
export type Job = z.infer<typeof JobSchema>;
