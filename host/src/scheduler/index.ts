export { createScheduler } from './scheduler.ts';
export { selectBackend, AGENDA_TABLE } from './backend.ts';
export { retryDelayMs } from './backoff.ts';
export { NonRetryableError, JobTimeoutError, isRetryable } from '../errors.ts';
export {
  intervalToMs,
  toIntegrationJobSpec,
  DEFAULT_RETRY,
  type ManifestInterval,
  type ManifestJobLike,
} from './interval.ts';
export { DEFAULT_KIND } from './job-data.ts';
export type * from './types.ts';
