import { describe, expect, it } from 'vitest';
import { assertTenantAccess, canAccessTenant, requireRole, tenantScope } from './access.ts';
import { AccessError } from '../errors.ts';
import type { Principal } from './principal.ts';

const admin: Principal = { userId: 'u0', tenantId: null, role: 'platform_admin', email: 'root@x.io' };
const owner: Principal = { userId: 'u1', tenantId: 't1', role: 'tenant_admin', email: 'a@x.io' };
const staff: Principal = { userId: 'u2', tenantId: 't1', role: 'tenant_user', email: 'b@x.io' };

function accessError(fn: () => unknown): AccessError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AccessError);
    return error as AccessError;
  }
  throw new Error('expected an AccessError');
}

describe('access rules', () => {
  it('lets a tenant principal reach its own tenant only, and admins every tenant', () => {
    expect(canAccessTenant(owner, 't1')).toBe(true);
    expect(canAccessTenant(owner, 't2')).toBe(false);
    expect(canAccessTenant(admin, 't2')).toBe(true);
    expect(() => assertTenantAccess(staff, 't1')).not.toThrow();
    const error = accessError(() => assertTenantAccess(staff, 't2', 'integration'));
    expect([error.code, error.status, error.message]).toEqual([
      'ACCESS_NOT_FOUND',
      404,
      'No such integration.',
    ]);
  });

  it('checks roles with 403', () => {
    expect(() => requireRole(owner, 'tenant_admin', 'platform_admin')).not.toThrow();
    const error = accessError(() => requireRole(staff, 'tenant_admin', 'platform_admin'));
    expect([error.code, error.status]).toEqual(['ACCESS_FORBIDDEN', 403]);
    expect(error.message).toMatch(/tenant_admin or platform_admin/);
  });

  it('scopes queries: own tenant, or for an admin the requested one or all', () => {
    expect(tenantScope(staff)).toBe('t1');
    expect(tenantScope(staff, 't1')).toBe('t1');
    expect(accessError(() => tenantScope(staff, 't2')).status).toBe(404);
    expect(tenantScope(admin)).toBeNull();
    expect(tenantScope(admin, 't2')).toBe('t2');
    expect(accessError(() => tenantScope({ ...staff, tenantId: null })).status).toBe(403);
  });
});
