/** Thrown (or any error with `retryable: false`) by a job handler to skip the retry policy. */
export class NonRetryableError extends Error {
  readonly retryable = false;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}

/** Raised for a run that outlived its job's `timeoutMs`. */
export class JobTimeoutError extends Error {
  constructor(jobId: string, timeoutMs: number) {
    super(`Job '${jobId}' ran longer than its ${timeoutMs} ms timeout and was aborted.`);
    this.name = 'JobTimeoutError';
  }
}

export function isRetryable(error: unknown): boolean {
  return !(
    typeof error === 'object' &&
    error !== null &&
    (error as { retryable?: unknown }).retryable === false
  );
}

export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
