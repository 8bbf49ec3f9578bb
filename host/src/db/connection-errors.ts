/**
 * Errors that mean "the database server is not reachable right now" (restart, failover, network),
 * as opposed to a statement the server refused. Work that hits one is retried once the server is
 * back instead of counting as a failure of the work itself.
 *
 * SQLSTATE classes (PostgreSQL docs, Appendix A): 08 connection exception, 57P01 admin_shutdown,
 * 57P02 crash_shutdown, 57P03 cannot_connect_now ("the database system is starting up / shutting
 * down"). Node socket errors and the `pg` driver's own messages cover the rest.
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
const DRIVER_MESSAGES = [
  /Connection terminated/i,
  /connection error and is not queryable/i,
  /Client was closed and is not queryable/i,
  /timeout exceeded when trying to connect/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /terminating connection/i,
  /server closed the connection unexpectedly/i,
];

export function isConnectionError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return false;
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && (SQLSTATES.has(code) || code.startsWith('08') || SOCKET_CODES.has(code)))
      return true;
    if (typeof message === 'string' && DRIVER_MESSAGES.some((pattern) => pattern.test(message))) return true;
    if (current instanceof AggregateError && current.errors.some((inner) => isConnectionError(inner)))
      return true;
    current = cause;
  }
  return false;
}

/**
 * Runs `work`, and while it fails because the server is unreachable, runs it again with capped
 * exponential backoff (100 ms to 2 s) until it succeeds, `deadlineMs` has passed or `signal` is
 * aborted; then the last error is thrown. Only for idempotent work (a state write, a lock release).
 */
export async function retryWhileUnreachable<T>(
  work: () => Promise<T>,
  options: { deadlineMs: number; signal?: AbortSignal | undefined; onRetry?: (error: unknown) => void },
): Promise<T> {
  const deadline = Date.now() + options.deadlineMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isConnectionError(error) || options.signal?.aborted) throw error;
      const delay = Math.min(100 * 2 ** attempt, 2000);
      if (Date.now() + delay > deadline) throw error;
      options.onRetry?.(error);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
