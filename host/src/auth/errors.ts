// The authentication and access codes live in the host's one error table.
export {
  ACCESS_ERROR_CODES,
  AccessError,
  type AccessErrorCode,
  AUTH_ERROR_CODES,
  SignInError as AuthError,
  type AuthErrorCode,
} from '../errors.ts';
