import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAtProperty, idProperty, updatedAtProperty } from './common.ts';

/** A buyer as the seller's books know it. `source` + `externalId` tie it to a marketplace buyer. */
export const Customer = defineEntity({
  name: 'Customer',
  tableName: 'customers',
  // The unique index leads with tenant_id: it serves queries by tenant (no index of its own).
  uniques: [{ properties: ['tenantId', 'source', 'externalId'] }],
  properties: {
    id: idProperty(),
    tenantId: p.uuid(),
    source: p.string().length(64),
    externalId: p.string().length(200),
    name: p.string().length(300),
    companyName: p.string().length(300).nullable(),
    taxId: p.string().length(64).nullable(),
    email: p.string().length(320).nullable(),
    phone: p.string().length(64).nullable(),
    address: p.json<Record<string, string>>().nullable(),
    createdAt: createdAtProperty(),
    updatedAt: updatedAtProperty(),
  },
});
export type ICustomer = InferEntity<typeof Customer>;
