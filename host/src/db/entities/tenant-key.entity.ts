import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAtProperty, idProperty } from './common.ts';

/** A tenant's data key, wrapped (AES-256-GCM) by the master key identified by `masterKeyId`. */
export const TenantKey = defineEntity({
  name: 'TenantKey',
  tableName: 'tenant_keys',
  properties: {
    id: idProperty(),
    tenantId: p.uuid().unique(),
    wrappedKey: p.text(),
    /** First bytes of SHA-256(master key): tells which master key wrapped this one. */
    masterKeyId: p.string().length(16),
    createdAt: createdAtProperty(),
    rotatedAt: p.datetime().nullable(),
  },
});
export type ITenantKey = InferEntity<typeof TenantKey>;
