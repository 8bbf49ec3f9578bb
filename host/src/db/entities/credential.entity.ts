import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAtProperty, idProperty, updatedAtProperty } from './common.ts';

/**
 * Encrypted secrets of an integration (OAuth tokens, passwords, secret settings), one row per kind.
 * `ciphertext` is the vault's envelope (AES-256-GCM under the tenant's data key); `version`
 * increments on every write so a token refresh can detect a concurrent one.
 */
export const Credential = defineEntity({
  name: 'Credential',
  tableName: 'credentials',
  uniques: [{ properties: ['integrationId', 'kind'] }],
  properties: {
    id: idProperty(),
    tenantId: p.uuid().index(),
    integrationId: p.uuid(),
    kind: p.string().length(32),
    ciphertext: p.text(),
    /** When the secret stops working (access-token expiry), for refresh scheduling. Not secret. */
    expiresAt: p.datetime().nullable(),
    version: p.integer().default(1),
    /** Token-refresh lease: one refresh at a time per integration across processes. */
    leaseUntil: p.datetime().nullable(),
    leaseOwner: p.string().length(100).nullable(),
    createdAt: createdAtProperty(),
    updatedAt: updatedAtProperty(),
  },
});
export type ICredential = InferEntity<typeof Credential>;
