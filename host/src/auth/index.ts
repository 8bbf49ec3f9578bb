export {
  SignInError as AuthError,
  AccessError,
  AUTH_ERROR_CODES,
  ACCESS_ERROR_CODES,
  type AuthErrorCode,
  type AccessErrorCode,
} from '../errors.ts';
export {
  checkPasswordPolicy,
  generatePassword,
  hashPassword,
  needsRehash,
  verifyPassword,
  passwordHashGate,
  PASSWORD_MIN_LENGTH,
  PASSWORD_MAX_LENGTH,
} from './password.ts';
export { activePrincipal, principalStatus, type Principal } from './principal.ts';
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
export {
  authenticateApiToken,
  checkApiToken,
  issueApiToken,
  readBearerToken,
  revokeApiToken,
} from './api-tokens.ts';
export {
  credentialKind,
  credentialRefusal,
  setCredentialKind,
  setCredentialRefusal,
  type CredentialKind,
} from './refusal.ts';
export { login, normalizeEmail } from './login.ts';
export {
  deviceCookie,
  deviceCookieSecret,
  issueDeviceToken,
  knownDevice,
  readCookie,
  DEVICE_COOKIE,
} from './device-cookie.ts';
export { HashGate, HASH_GATE_DEFAULTS, type HashLane } from './hash-gate.ts';
export { setPassword } from './set-password.ts';
export { assertTenantAccess, canAccessTenant, isPlatformAdmin, requireRole, tenantScope } from './access.ts';
export { API_TOKEN_PREFIX, randomToken, sha256Hex } from './tokens.ts';
