import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAtProperty, idProperty } from './common.ts';

export const ROLES = ['platform_admin', 'tenant_admin', 'tenant_user'] as const;
export type Role = (typeof ROLES)[number];

export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: idProperty(),
    /** Null only for platform admins, who act across tenants. */
    tenantId: p.uuid().nullable().index(),
    email: p.string().length(320).unique(),
    name: p.string().length(200).nullable(),
    role: p.enum(ROLES),
    /** scrypt hash in PHC-like form; never leaves the server. */
    passwordHash: p.string().length(400).nullable().hidden(),
    disabledAt: p.datetime().nullable(),
    lastLoginAt: p.datetime().nullable(),
    createdAt: createdAtProperty(),
  },
});
export type IUser = InferEntity<typeof User>;
