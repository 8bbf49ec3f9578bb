import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { idProperty } from './common.ts';

/** Who did what: logins, settings changes, syncs, enablement, key rotation. Never secrets. */
export const AuditLog = defineEntity({
  name: 'AuditLog',
  tableName: 'audit_log',
  indexes: [{ properties: ['tenantId', 'at'] }],
  properties: {
    id: idProperty(),
    tenantId: p.uuid().nullable(),
    actorUserId: p.uuid().nullable(),
    action: p.string().length(64),
    targetType: p.string().length(32).nullable(),
    targetId: p.string().length(200).nullable(),
    details: p.json<Record<string, unknown>>().nullable(),
    at: p.datetime().onCreate(() => new Date()),
  },
});
export type IAuditLog = InferEntity<typeof AuditLog>;
