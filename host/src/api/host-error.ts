import { UniqueConstraintViolationException } from '@mikro-orm/core';
import {
  AccessError,
  ERROR_STATUS,
  HostError,
  SignInError,
  TenancyError,
  type ErrorCode,
} from '../errors.ts';
import { ACCOUNT_UNIQUE_INDEX, accountTakenMessage } from '../integrations/account-key.ts';

const AUTH_CODES: Record<SignInError['code'], ErrorCode | undefined> = {
  AUTH_INVALID_CREDENTIALS: 'UNAUTHORIZED',
  AUTH_WRONG_CURRENT_PASSWORD: 'BAD_REQUEST',
  AUTH_ACCOUNT_DISABLED: 'FORBIDDEN',
  AUTH_WEAK_PASSWORD: 'BAD_REQUEST',
  // A hash this host cannot read is our fault, not the caller's: a 500 that gets logged.
  AUTH_BAD_HASH: undefined,
};

/**
 * Errors of other host modules that a caller may see, as HostErrors (one code table for tRPC
 * and REST). Anything else stays an internal error.
 */
export function asHostError(error: unknown): HostError | undefined {
  if (error instanceof HostError) return error;
  if (error instanceof AccessError) {
    return new HostError(error.code === 'ACCESS_NOT_FOUND' ? 'NOT_FOUND' : 'FORBIDDEN', error.message, {
      cause: error,
    });
  }
  if (error instanceof SignInError) {
    const code = AUTH_CODES[error.code];
    return code ? new HostError(code, error.message, { cause: error }) : undefined;
  }
  if (error instanceof TenancyError) {
    const code = (Object.keys(ERROR_STATUS) as ErrorCode[]).find((c) => ERROR_STATUS[c] === error.status);
    return code ? new HostError(code, error.message, { cause: error }) : undefined;
  }
  // A unique index refusing a write means "this already exists" (e.g. the same marketplace
  // account connected twice), which the caller can act on.
  if (error instanceof UniqueConstraintViolationException && error.message.includes(ACCOUNT_UNIQUE_INDEX)) {
    return new HostError('CONFLICT', accountTakenMessage('you chose'), { cause: error });
  }
  if (error instanceof UniqueConstraintViolationException) {
    return new HostError(
      'CONFLICT',
      'This already exists (for example, the same account is already connected).',
      {
        cause: error,
      },
    );
  }
  return undefined;
}
