export {
  AuthError,
  AccessError,
  AUTH_ERROR_CODES,
  ACCESS_ERROR_CODES,
  type AuthErrorCode,
  type AccessErrorCode,
} from './errors.ts';
export {
  checkPasswordPolicy,
  generatePassword,
  hashPassword,
  needsRehash,
  verifyPassword,
  PASSWORD_MIN_LENGTH,
  PASSWORD_MAX_LENGTH,
} from './password.ts';
export { activePrincipal, type Principal } from './principal.ts';
export {
  authenticateSession,
  clearSessionCookie,
  createSession,
  logout,
  logoutEverywhere,
  readSessionCookie,
  secureCookies,
  sessionCookie,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  type SessionAuth,
} from './sessions.ts';
export { authenticateApiToken, issueApiToken, readBearerToken, revokeApiToken } from './api-tokens.ts';
export { login, normalizeEmail, LOGIN_FAILURE_LIMIT, LOGIN_FAILURE_WINDOW_MS } from './login.ts';
export { setPassword } from './set-password.ts';
export { assertTenantAccess, canAccessTenant, isPlatformAdmin, requireRole, tenantScope } from './access.ts';
export { API_TOKEN_PREFIX, randomToken, sha256Hex } from './tokens.ts';
