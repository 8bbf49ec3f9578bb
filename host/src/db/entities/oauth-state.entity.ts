import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAtProperty } from './common.ts';

/**
 * A pending OAuth authorization: the `state` (stored as SHA-256) binds the callback to the tenant
 * and user who started it; single use, short-lived. The PKCE verifier is vault-encrypted.
 */
export const OAuthState = defineEntity({
  name: 'OAuthState',
  tableName: 'oauth_states',
  properties: {
    stateHash: p.string().length(64).primary(),
    tenantId: p.uuid(),
    userId: p.uuid(),
    pluginId: p.string().length(64),
    /** Set when reconnecting an existing integration. */
    integrationId: p.uuid().nullable(),
    verifierCiphertext: p.text(),
    returnTo: p.string().length(500).nullable(),
    /** SHA-256 of the console session that started it: the callback must come from that browser. */
    sessionHash: p.string().length(64).nullable(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    createdAt: createdAtProperty(),
  },
});
export type IOAuthState = InferEntity<typeof OAuthState>;
