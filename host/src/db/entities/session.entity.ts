import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAtProperty } from './common.ts';

/** A console login. The cookie holds a random token; only its SHA-256 is stored. */
export const Session = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    tokenHash: p.string().length(64).primary(),
    userId: p.uuid().index(),
    expiresAt: p.datetime(),
    createdAt: createdAtProperty(),
  },
});
export type ISession = InferEntity<typeof Session>;
