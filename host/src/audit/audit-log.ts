import type { EntityManager } from '@mikro-orm/core';
import { AuditLog } from '../db/entities/audit-log.entity.ts';

export interface AuditEntry {
  tenantId: string | null;
  actorUserId?: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  /** Never secrets: ids, names, roles, the names of changed keys — not their values. */
  details?: Record<string, unknown>;
  /** When it happened; now unless the caller works with its own clock (login). */
  at?: Date;
}

/** Queues an `audit_log` row in the caller's unit of work: it commits with the change it records. */
export function recordAudit(em: EntityManager, entry: AuditEntry): void {
  em.create(AuditLog, {
    tenantId: entry.tenantId,
    actorUserId: entry.actorUserId ?? null,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    details: entry.details ?? null,
    at: entry.at ?? new Date(),
  });
}
