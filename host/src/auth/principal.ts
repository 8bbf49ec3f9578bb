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
  const user = await em.findOne(User, { id: userId });
  if (!user || user.disabledAt) return null;
  if (user.tenantId) {
    const tenant = await em.findOne(Tenant, { id: user.tenantId });
    if (!tenant || tenant.disabledAt) return null;
  }
  return { userId: user.id, tenantId: user.tenantId ?? null, role: user.role, email: user.email };
}
