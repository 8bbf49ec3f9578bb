import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAtProperty, idProperty, updatedAtProperty } from './common.ts';

export const OUTBOUND_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'dead'] as const;
export type OutboundStatus = (typeof OUTBOUND_STATUSES)[number];

/**
 * Something we ask a marketplace to do (upload an invoice, acknowledge an order, cancel, move a
 * return). The idempotency key is unique per integration and kind, so each takes effect once.
 */
export const OutboundOperation = defineEntity({
  name: 'OutboundOperation',
  tableName: 'outbound_operations',
  uniques: [{ properties: ['integrationId', 'kind', 'idempotencyKey'] }],
  indexes: [{ properties: ['status', 'nextAttemptAt'] }],
  properties: {
    id: idProperty(),
    tenantId: p.uuid().index(),
    integrationId: p.uuid(),
    kind: p.string().length(64),
    idempotencyKey: p.string().length(200),
    /** The host record it concerns (invoice, return …), for the console and the seed's tables. */
    subjectType: p.string().length(32).nullable(),
    subjectId: p.string().length(200).nullable(),
    payload: p.json<unknown>(),
    status: p.enum(OUTBOUND_STATUSES).default('pending'),
    attempts: p.integer().default(0),
    lastError: p.text().nullable(),
    response: p.json<unknown>().nullable(),
    /** The marketplace's id for the effect (invoice id, RMA id …). */
    externalRef: p.string().length(200).nullable(),
    nextAttemptAt: p.datetime().nullable(),
    completedAt: p.datetime().nullable(),
    createdAt: createdAtProperty(),
    updatedAt: updatedAtProperty(),
  },
});
export type IOutboundOperation = InferEntity<typeof OutboundOperation>;
