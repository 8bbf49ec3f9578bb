import type { EntityManager } from '@mikro-orm/core';
import type { Principal } from '../auth/principal.ts';
import { assertTenantAccess, isPlatformAdmin, requireRole, tenantScope } from '../auth/access.ts';
import { Integration, type IIntegration } from '../db/entities/integration.entity.ts';
import { HostError, notFound } from '../errors.ts';

export { isPlatformAdmin };

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The tenant a write applies to: the caller's own, or — for platform admins, who belong to
 * none — the one they name.
 */
export function actingTenantId(principal: Principal, requested?: string): string {
  const tenantId = tenantScope(principal, requested);
  if (!tenantId)
    throw new HostError('BAD_REQUEST', 'Platform admins must name the tenant (tenantId) to act on.');
  return tenantId;
}

/** Tenant filter for list queries: undefined = every tenant (platform admins only). */
export function tenantFilter(principal: Principal, requested?: string): string | undefined {
  return tenantScope(principal, requested) ?? undefined;
}

/**
 * Loads an integration the caller may see. Another tenant's integration answers exactly like a
 * missing one (404), so ids cannot be probed across tenants.
 */
export async function findAccessibleIntegration(
  em: EntityManager,
  principal: Principal,
  id: string,
): Promise<IIntegration> {
  if (!UUID.test(id)) throw notFound('The integration');
  const row = await em.findOne(Integration, { id });
  if (!row) throw notFound('The integration');
  assertTenantAccess(principal, row.tenantId, 'integration');
  return row;
}

/** Removing an integration or editing the company is for tenant admins (and platform admins). */
export function requireTenantAdmin(principal: Principal): void {
  requireRole(principal, 'tenant_admin', 'platform_admin');
}
