export { TenancyError, TENANCY_ERROR_CODES, type TenancyErrorCode } from '../errors.ts';
export { recordAudit, type AuditEntry } from '../audit/audit-log.ts';
export { slugify, assertSlug, SLUG_PATTERN } from './slug.ts';
export { createTenant, DEFAULT_SERIES_CODE } from './create-tenant.ts';
export { createUser, isRole, type CreatedUser } from './create-user.ts';
export { createApiToken } from './create-api-token.ts';
export { findTenant, findUserByEmail } from './find.ts';
export { mayManage, manageableUser, type Actor } from './actor.ts';
export {
  apiTokenView,
  issueTokenFor,
  listApiTokens,
  revokeTokenFor,
  MAX_ACTIVE_TOKENS_PER_USER,
  type ApiTokenView,
} from './api-token-admin.ts';
export { listTeam, resetUserPassword, setUserDisabled, type TeamMemberView } from './user-admin.ts';
export { setTenantDisabled } from './tenant-admin.ts';
