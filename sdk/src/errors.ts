/**
 * Errors a hook may throw to tell the host what kind of failure happened; the host decides what
 * to do (retry with backoff, mark the integration "needs re-auth", wait, or stop). Any other
 * error is treated as retryable with the job's retry policy. All codes of the SDK live here.
 */
export const PluginErrorCode = {
  RETRYABLE: 'PLUGIN_RETRYABLE',
  AUTH: 'PLUGIN_AUTH',
  CONFIG: 'PLUGIN_CONFIG',
  RATE_LIMITED: 'PLUGIN_RATE_LIMITED',
  REFUSED: 'PLUGIN_REFUSED',
  INVALID_DEFINITION: 'PLUGIN_INVALID_DEFINITION',
} as const;
export type PluginErrorCode = (typeof PluginErrorCode)[keyof typeof PluginErrorCode];

export class PluginError extends Error {
  readonly code: PluginErrorCode;
  constructor(options: { code: PluginErrorCode; message: string; cause?: unknown }) {
    super(options.message, { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
  }
}

/** A temporary failure (timeout, 5xx): retry with the job's backoff. */
export class RetryableError extends PluginError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super({ code: PluginErrorCode.RETRYABLE, message, cause: options.cause });
  }
}

/** Credentials were refused or revoked: the integration needs the seller to re-authorize. */
export class AuthError extends PluginError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super({ code: PluginErrorCode.AUTH, message, cause: options.cause });
  }
}

/** Settings or config make the work impossible; retrying will not help until someone fixes them. */
export class ConfigError extends PluginError {
  /** JSON pointer of the offending setting, when there is one. */
  readonly pointer: string | undefined;
  constructor(message: string, options: { pointer?: string; cause?: unknown } = {}) {
    super({ code: PluginErrorCode.CONFIG, message, cause: options.cause });
    this.pointer = options.pointer;
  }
}

/**
 * The marketplace refuses this outbound operation for good, or would (e.g. Allegro takes no invoice
 * for an order whose buyer did not ask for one): thrown from `ctx.outbound.once`/`batch`'s `fn`,
 * the operation is recorded as refused with this message as its reason and is not tried again;
 * the invoice no longer counts as waiting to be sent. Other operations go on.
 */
export class RefusedError extends PluginError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super({ code: PluginErrorCode.REFUSED, message, cause: options.cause });
  }
}

/** The marketplace said "slow down": the host waits `retryAfterMs` before the next attempt. */
export class RateLimitedError extends PluginError {
  readonly retryAfterMs: number;
  constructor(message: string, options: { retryAfterMs: number; cause?: unknown }) {
    super({ code: PluginErrorCode.RATE_LIMITED, message, cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Recognises SDK errors across module copies (the host and a plugin may resolve different copies). */
export function isPluginError(error: unknown): error is PluginError {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  return (Object.values(PluginErrorCode) as unknown[]).includes(code);
}
