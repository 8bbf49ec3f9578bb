import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAtProperty, idProperty, updatedAtProperty } from './common.ts';

/**
 * The durable ledger of external records: one row per marketplace record (order, return …) per
 * integration. Its unique key is what makes "an order never yields two invoices" hold under
 * retries, duplicate events and several processes.
 */
export const LedgerEntry = defineEntity({
  name: 'LedgerEntry',
  tableName: 'external_records',
  uniques: [{ properties: ['integrationId', 'kind', 'externalId'] }],
  properties: {
    id: idProperty(),
    tenantId: p.uuid().index(),
    integrationId: p.uuid(),
    kind: p.string().length(32),
    externalId: p.string().length(200),
    revision: p.string().length(200).nullable(),
    /** Hash of the record as last processed, to tell real changes from repeats. */
    contentHash: p.string().length(64).nullable(),
    hostType: p.string().length(32).nullable(),
    hostId: p.uuid().nullable(),
    status: p.string().length(32).default('processed'),
    createdAt: createdAtProperty(),
    updatedAt: updatedAtProperty(),
  },
});
export type ILedgerEntry = InferEntity<typeof LedgerEntry>;
