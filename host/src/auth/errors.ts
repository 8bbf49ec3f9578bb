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

export class AuthError extends Error {
  override name = 'AuthError';
  readonly code: AuthErrorCode;
  readonly status: number;

  constructor(code: AuthErrorCode, message: string) {
    super(message);
    this.code = code;
    this.status = AUTH_ERROR_CODES[code];
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

export class AccessError extends Error {
  override name = 'AccessError';
  readonly code: AccessErrorCode;
  readonly status: 404 | 403;

  constructor(code: AccessErrorCode, message: string) {
    super(message);
    this.code = code;
    this.status = ACCESS_ERROR_CODES[code];
  }
}
