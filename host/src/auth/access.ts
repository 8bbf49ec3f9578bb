import type { Role } from '../db/entities/user.entity.ts';
import { AccessError } from '../errors.ts';
import type { Principal } from './principal.ts';

/**
 * Every tenant check in one place (SPEC "Tenancy and access"): a principal sees its own tenant;
 * platform admins see every tenant.
 */
export function isPlatformAdmin(principal: Principal): boolean {
  return principal.role === 'platform_admin';
}

export function canAccessTenant(principal: Principal, tenantId: string): boolean {
  return isPlatformAdmin(principal) || (principal.tenantId !== null && principal.tenantId === tenantId);
}

/**
 * Throws `ACCESS_NOT_FOUND` for a record of another tenant: callers answer 404, exactly as for a
 * record that does not exist, so ids of other tenants cannot be probed.
 */
export function assertTenantAccess(principal: Principal, tenantId: string, what = 'record'): void {
  if (!canAccessTenant(principal, tenantId)) throw new AccessError('ACCESS_NOT_FOUND', `No such ${what}.`);
}

/** Throws `ACCESS_FORBIDDEN` (403) unless the principal has one of `roles`. */
export function requireRole(principal: Principal, ...roles: Role[]): void {
  if (!roles.includes(principal.role)) {
    throw new AccessError(
      'ACCESS_FORBIDDEN',
      `This action needs the role ${roles.join(' or ')}; you are ${principal.role}.`,
    );
  }
}

/**
 * The tenant a query must be filtered by: the caller's own; for a platform admin the requested
 * one, or null meaning "all tenants". A tenant principal asking for another tenant gets 404.
 */
export function tenantScope(principal: Principal, requestedTenantId?: string | null): string | null {
  if (isPlatformAdmin(principal)) return requestedTenantId ?? null;
  if (principal.tenantId === null)
    throw new AccessError('ACCESS_FORBIDDEN', 'This account belongs to no tenant.');
  if (requestedTenantId && requestedTenantId !== principal.tenantId)
    throw new AccessError('ACCESS_NOT_FOUND', 'No such tenant.');
  return principal.tenantId;
}
