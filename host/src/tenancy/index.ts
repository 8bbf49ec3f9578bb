export { TenancyError, TENANCY_ERROR_CODES, type TenancyErrorCode } from './errors.ts';
export { recordAudit, type AuditEntry } from './audit.ts';
export { slugify, assertSlug, SLUG_PATTERN } from './slug.ts';
export { createTenant, DEFAULT_SERIES_CODE } from './create-tenant.ts';
export { createUser, isRole, type CreatedUser } from './create-user.ts';
export { createApiToken } from './create-api-token.ts';
export { findTenant, findUserByEmail } from './find.ts';
