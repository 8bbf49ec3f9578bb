import type { EntityManager } from '@mikro-orm/core';
import { AuditLog } from '../db/entities/audit-log.entity.ts';

/** One audit entry. `details` must never hold a secret: callers pass names of changed keys, not values. */
export function audit(
  em: EntityManager,
  entry: {
    tenantId: string | null;
    actorUserId: string | null;
    action: string;
    targetType?: string;
    targetId?: string;
    details?: Record<string, unknown>;
  },
): void {
  em.create(AuditLog, {
    tenantId: entry.tenantId,
    actorUserId: entry.actorUserId,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    details: entry.details ?? null,
    at: new Date(),
  });
}
