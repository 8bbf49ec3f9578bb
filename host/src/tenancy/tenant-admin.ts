import type { EntityManager } from '@mikro-orm/core';
import { Session, Tenant, User } from '../db/entities/index.ts';
import { actorUserId, type Actor } from './actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { TenancyError } from '../errors.ts';
import { findTenant } from './find.ts';

/**
 * Disables (or enables again) a tenant: its users cannot sign in, their sessions end now and their
 * API tokens are refused while it is disabled. Platform admins and the CLI only.
 */
export async function setTenantDisabled({
  em,
  actor,
  tenant: idOrSlug,
  disabled,
}: {
  em: EntityManager;
  actor: Actor;
  tenant: string;
  disabled: boolean;
}): Promise<{ id: string; slug: string; disabled: boolean; sessionsEnded: number }> {
  if (actor !== 'cli' && actor.role !== 'platform_admin')
    throw new TenancyError('TENANT_NOT_FOUND', `No tenant with the id or slug "${idOrSlug}".`);
  const found = await findTenant(em, idOrSlug);
  if (actor !== 'cli' && actor.tenantId === found.id)
    throw new TenancyError('TENANT_SELF', 'You cannot disable the tenant your own account belongs to.');
  const tenant = await em.findOneOrFail(Tenant, { id: found.id });
  if (disabled !== (tenant.disabledAt != null)) {
    tenant.disabledAt = disabled ? new Date() : null;
    recordAudit(em, {
      tenantId: tenant.id,
      actorUserId: actorUserId(actor),
      action: disabled ? 'tenant.disable' : 'tenant.enable',
      targetType: 'tenant',
      targetId: tenant.id,
    });
    await em.flush();
  }
  let sessionsEnded = 0;
  if (disabled) {
    const users = await em.find(User, { tenantId: tenant.id }, { fields: ['id'] });
    if (users.length > 0)
      sessionsEnded = await em.nativeDelete(Session, { userId: { $in: users.map((u) => u.id) } });
  }
  return { id: tenant.id, slug: tenant.slug, disabled, sessionsEnded };
}
