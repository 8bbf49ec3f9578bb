import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { FrozenDocument } from '../../invoicing/frozen-document.ts';
import { createdAtProperty, idProperty, moneyProperty, updatedAtProperty } from './common.ts';

export const INVOICE_STATUSES = ['issued', 'paid', 'cancelled'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/**
 * An invoice. (`integrationId`, `externalOrderId`) is unique: one marketplace order yields at most
 * one invoice, whatever retries or duplicate events happen. (`seriesId`, `sequence`) is unique
 * and gap-free.
 */
export const Invoice = defineEntity({
  name: 'Invoice',
  tableName: 'invoices',
  uniques: [
    { properties: ['seriesId', 'period', 'sequence'] },
    { properties: ['integrationId', 'externalOrderId'] },
  ],
  indexes: [{ properties: ['tenantId', 'createdAt'] }],
  properties: {
    id: idProperty(),
    tenantId: p.uuid(),
    companyId: p.uuid(),
    seriesId: p.uuid(),
    sequence: p.integer(),
    /** The numbering period of a series that resets (`2026`, `2026-12`); '' for one that never does. */
    period: p.string().length(7).default(''),
    type: p.string().length(16).default('invoice'),
    seriesCode: p.string().length(32).nullable(),
    /** The frozen document (frozen-document.ts); null only for invoices issued before it existed. */
    document: p.json<FrozenDocument>().nullable(),
    corrects: p.uuid().nullable(),
    /** Clearance by a tax authority (ClearanceState of the SDK); null until a clearance plugin takes it. */
    clearance: p.json<Record<string, unknown>>().nullable(),
    /** The key a correction was requested with (unique per corrected document): issued once. */
    correctionKey: p.string().length(200).nullable(),
    number: p.string().length(64),
    integrationId: p.uuid().nullable(),
    pluginId: p.string().length(64).nullable(),
    externalOrderId: p.string().length(200).nullable(),
    externalOrderRevision: p.string().length(200).nullable(),
    customerId: p.uuid().nullable(),
    buyer: p.json<Record<string, unknown>>(),
    issueDate: p.string().length(10),
    saleDate: p.string().length(10),
    currency: p.string().length(3),
    netTotal: moneyProperty(),
    vatTotal: moneyProperty(),
    grossTotal: moneyProperty(),
    status: p.enum(INVOICE_STATUSES).default('issued'),
    paidAt: p.datetime().nullable(),
    /** SHA-256 of the secret in the invoice's public PDF URL (marketplaces download it). */
    publicTokenHash: p.string().length(64).nullable().unique(),
    createdAt: createdAtProperty(),
    updatedAt: updatedAtProperty(),
  },
});
export type IInvoice = InferEntity<typeof Invoice>;
