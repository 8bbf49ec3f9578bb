import type { EntityManager } from '@mikro-orm/core';
import type { Principal } from '../auth/principal.ts';
import { Tenant } from '../db/entities/tenant.entity.ts';

export interface UserView {
  id: string;
  email: string;
  role: Principal['role'];
  tenantId: string | null;
  tenantName: string | null;
}

export async function userView(em: EntityManager, principal: Principal): Promise<UserView> {
  const tenant = principal.tenantId ? await em.findOne(Tenant, { id: principal.tenantId }) : null;
  return {
    id: principal.userId,
    email: principal.email,
    role: principal.role,
    tenantId: principal.tenantId,
    tenantName: tenant?.name ?? null,
  };
}
