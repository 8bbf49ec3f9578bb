import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAtProperty, idProperty } from './common.ts';

/** A REST API token (`Authorization: Bearer …`). Only its SHA-256 is stored. */
export const ApiToken = defineEntity({
  name: 'ApiToken',
  tableName: 'api_tokens',
  properties: {
    id: idProperty(),
    userId: p.uuid().index(),
    tokenHash: p.string().length(64).unique(),
    name: p.string().length(200).default('cli'),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    /** Refused from this moment on; null: until revoked. */
    expiresAt: p.datetime().nullable(),
    createdAt: createdAtProperty(),
  },
});
export type IApiToken = InferEntity<typeof ApiToken>;
