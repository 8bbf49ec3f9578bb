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

export class TenancyError extends Error {
  override name = 'TenancyError';
  readonly code: TenancyErrorCode;
  readonly status: number;

  constructor(code: TenancyErrorCode, message: string) {
    super(message);
    this.code = code;
    this.status = TENANCY_ERROR_CODES[code];
  }
}
