import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAtProperty, idProperty } from './common.ts';

export const Tenant = defineEntity({
  name: 'Tenant',
  tableName: 'tenants',
  properties: {
    id: idProperty(),
    slug: p.string().length(64).unique(),
    name: p.string().length(200),
    disabledAt: p.datetime().nullable(),
    createdAt: createdAtProperty(),
  },
});
export type ITenant = InferEntity<typeof Tenant>;
