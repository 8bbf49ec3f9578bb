/** Thrown (or any error with `retryable: false`) by a job handler to skip the retry policy. */
export declare class NonRetryableError extends Error {
    readonly retryable = false;
    constructor(message: string, options?: ErrorOptions);
}
/** Raised for a run that outlived its job's `timeoutMs`. */
export declare class JobTimeoutError extends Error {
    constructor(jobId: string, timeoutMs: number);
}
export declare function isRetryable(error: unknown): boolean;
export declare function toError(error: unknown): Error;
