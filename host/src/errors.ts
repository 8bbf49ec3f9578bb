/**
 * Every error code of the host, in one file (STYLE 3; one table per package, like Fastify's
 * `lib/errors.js`): the API codes every caller sees, then each module's own codes with the HTTP
 * status the API answers for them. Every error a person can see carries a code, a sentence that
 * says what to do, and — for invalid input — per-field issues with JSON pointers. Modules import
 * their errors from here; their indexes (auth, tenancy, vault, scheduler) re-export them for
 * callers outside the module.
 */

// ---------------------------------------------------------------------------------------------
// API: the codes of tRPC and REST answers (SPEC "Interfaces").
// ---------------------------------------------------------------------------------------------

export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldIssue {
  /** JSON pointer of the offending field, e.g. `/settings/syncFrequencyMinutes`. */
  path: string;
  code: string;
  message: string;
}

export class HostError extends Error {
  override name = 'HostError';
  readonly code: ErrorCode;
  readonly issues: FieldIssue[] | undefined;

  constructor(code: ErrorCode, message: string, options: { issues?: FieldIssue[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options.issues;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string) =>
  new HostError('NOT_FOUND', `${what} was not found (or is not yours to see).`);
export const invalidInput = (message: string, issues: FieldIssue[]) =>
  new HostError('BAD_REQUEST', message, { issues });

/** The JSON body of every REST error (SPEC "Interfaces"). */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; issues?: FieldIssue[] };
}

export function errorBody(error: HostError): ErrorBody {
  return {
    error: { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) },
  };
}

/** A module's error: its code, and the HTTP status the module's table gives that code. */
class StatusError<Code extends string> extends Error {
  readonly code: Code;
  readonly status: number;

  constructor(table: Readonly<Record<Code, number>>, code: Code, message: string) {
    super(message);
    this.code = code;
    this.status = table[code];
  }
}

// ---------------------------------------------------------------------------------------------
// Tenancy: tenant, user and token administration.
// ---------------------------------------------------------------------------------------------

/** Failures of tenant, user and token administration; `status` is what the API answers. */
export const TENANCY_ERROR_CODES = {
  TENANT_NAME_INVALID: 400,
  TENANT_SLUG_INVALID: 400,
  TENANT_SLUG_TAKEN: 409,
  TENANT_NOT_FOUND: 404,
  USER_EMAIL_INVALID: 400,
  USER_EMAIL_TAKEN: 409,
  USER_ROLE_INVALID: 400,
  /** Tenant roles need a tenant; platform admins must have none. */
  USER_TENANT_MISMATCH: 400,
  USER_NOT_FOUND: 404,
  USER_DISABLED: 409,
  /** An admin may not disable their own account (nobody could enable it again from there). */
  USER_SELF: 409,
  TOKEN_NOT_FOUND: 404,
  TOKEN_NAME_INVALID: 400,
  TOKEN_LIMIT: 409,
  /** The tenant an admin acts from cannot be disabled by that admin. */
  TENANT_SELF: 409,
} as const;
export type TenancyErrorCode = keyof typeof TENANCY_ERROR_CODES;

export class TenancyError extends StatusError<TenancyErrorCode> {
  override name = 'TenancyError';

  constructor(code: TenancyErrorCode, message: string) {
    super(TENANCY_ERROR_CODES, code, message);
  }
}

// ---------------------------------------------------------------------------------------------
// Authentication (who are you?) and access (may you?).
// ---------------------------------------------------------------------------------------------

/**
 * Authentication failures (who are you?) and access failures (may you?), with their HTTP status.
 * Login throttling throws the host-wide `HostError('TOO_MANY_REQUESTS')` (429), which every API
 * surface already maps.
 */
export const AUTH_ERROR_CODES = {
  /** Unknown email or wrong password: one code and message for both, so emails cannot be probed. */
  AUTH_INVALID_CREDENTIALS: 401,
  /**
   * A signed-in user's "current password" is wrong (password change): 400, not 401 — the session
   * is fine, and a 401 would make the console think it expired.
   */
  AUTH_WRONG_CURRENT_PASSWORD: 400,
  /** The user or their tenant is disabled. Only reported after the password was verified. */
  AUTH_ACCOUNT_DISABLED: 403,
  /** A new password does not meet the minimum policy. */
  AUTH_WEAK_PASSWORD: 400,
  /** A stored password hash is not in a format this host can verify. */
  AUTH_BAD_HASH: 500,
} as const;
export type AuthErrorCode = keyof typeof AUTH_ERROR_CODES;

/**
 * A failed sign-in or password change. Not the SDK's `AuthError` (a plugin's credentials were
 * refused by a marketplace); auth/errors.ts still exports this one under its old name.
 */
export class SignInError extends StatusError<AuthErrorCode> {
  override name = 'SignInError';

  constructor(code: AuthErrorCode, message: string) {
    super(AUTH_ERROR_CODES, code, message);
  }
}

/**
 * Another tenant's record is reported as not found (404) so its existence does not leak; a missing
 * role for an action in one's own tenant is forbidden (403).
 */
export const ACCESS_ERROR_CODES = {
  ACCESS_NOT_FOUND: 404,
  ACCESS_FORBIDDEN: 403,
} as const;
export type AccessErrorCode = keyof typeof ACCESS_ERROR_CODES;

export class AccessError extends StatusError<AccessErrorCode> {
  override name = 'AccessError';
  declare readonly status: 404 | 403;

  constructor(code: AccessErrorCode, message: string) {
    super(ACCESS_ERROR_CODES, code, message);
  }
}

// ---------------------------------------------------------------------------------------------
// Vault: secrets at rest.
// ---------------------------------------------------------------------------------------------

/** Every failure the vault reports. Messages name what to do; they never contain key material. */
export const VAULT_ERROR_CODES = [
  /** `HOST_MASTER_KEY` is not 32 bytes of base64 or hex. */
  'VAULT_MASTER_KEY_INVALID',
  /** `<DATA_DIR>/master.key` is readable by group or others, or unreadable. */
  'VAULT_MASTER_KEY_FILE_UNSAFE',
  /** A tenant's data key was wrapped by another master key (its `masterKeyId` differs). */
  'VAULT_WRONG_MASTER_KEY',
  /** Authentication failed: the ciphertext (or wrapped key) was altered or belongs to another tenant. */
  'VAULT_TAMPERED',
  /** Not a vault envelope, or a version this host does not know. */
  'VAULT_MALFORMED',
  /** A stored JSON secret could not be parsed after decryption. */
  'VAULT_BAD_PAYLOAD',
  /** A credential changed since the caller read it (optimistic `version` check, e.g. token refresh). */
  'VAULT_CREDENTIAL_CONFLICT',
  /** The credential row exists under another tenant: refuse to touch it. */
  'VAULT_CREDENTIAL_TENANT_MISMATCH',
] as const;
export type VaultErrorCode = (typeof VAULT_ERROR_CODES)[number];

export class VaultError extends Error {
  override name = 'VaultError';
  readonly code: VaultErrorCode;

  constructor(code: VaultErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------------
// Scheduler: how a job's failure is retried.
// ---------------------------------------------------------------------------------------------

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

/** Every code of the host's table (the scheduler's errors carry none): each is unique host-wide. */
export const HOST_ERROR_CODES: readonly string[] = [
  ...Object.keys(ERROR_STATUS),
  ...Object.keys(TENANCY_ERROR_CODES),
  ...Object.keys(AUTH_ERROR_CODES),
  ...Object.keys(ACCESS_ERROR_CODES),
  ...VAULT_ERROR_CODES,
];
