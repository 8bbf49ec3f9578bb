// The scheduler's errors live in the host's one error table.
export { isRetryable, JobTimeoutError, NonRetryableError, toError } from '../errors.ts';
