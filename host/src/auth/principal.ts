import type { EntityManager } from '@mikro-orm/core';
import { Tenant, User } from '../db/entities/index.ts';
import type { Role } from '../db/entities/user.entity.ts';

/** Who is calling: what every procedure and route checks access against. */
export interface Principal {
  userId: string;
  /** Null for platform admins, who act across tenants. */
  tenantId: string | null;
  role: Role;
  email: string;
}

/**
 * The principal of an active user, or null when the user is gone, disabled, or belongs to a
 * disabled tenant — a credential stops working the moment its owner is switched off.
 */
export async function activePrincipal(em: EntityManager, userId: string): Promise<Principal | null> {
  const status = await principalStatus(em, userId);
  return 'principal' in status ? status.principal : null;
}

/** Why a credential's owner cannot act (for a refusal in words), or their principal. */
export async function principalStatus(
  em: EntityManager,
  userId: string,
): Promise<{ principal: Principal } | { refused: 'gone' | 'user_disabled' | 'tenant_disabled' }> {
  const user = await em.findOne(User, { id: userId });
  if (!user) return { refused: 'gone' };
  if (user.disabledAt) return { refused: 'user_disabled' };
  if (user.tenantId) {
    const tenant = await em.findOne(Tenant, { id: user.tenantId });
    if (!tenant) return { refused: 'gone' };
    if (tenant.disabledAt) return { refused: 'tenant_disabled' };
  }
  return {
    principal: { userId: user.id, tenantId: user.tenantId ?? null, role: user.role, email: user.email },
  };
}
