import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAtProperty, idProperty } from './common.ts';

/**
 * A company's invoice numbering series. `nextNumber` is taken under a row lock in the same
 * transaction that inserts the invoice, so numbers are gap-free per series.
 */
export const InvoiceSeries = defineEntity({
  name: 'InvoiceSeries',
  tableName: 'invoice_series',
  uniques: [{ properties: ['companyId', 'code'] }],
  properties: {
    id: idProperty(),
    tenantId: p.uuid().index(),
    companyId: p.uuid(),
    code: p.string().length(32),
    /** Number format, e.g. `{code}/{yyyy}/{n}`. */
    pattern: p.string().length(64).default('{code}/{yyyy}/{n}'),
    nextNumber: p.integer().default(1),
    isDefault: p.boolean().default(false),
    /** `invoice` or `correction`: a series numbers one type of document. */
    documentType: p.string().length(16).default('invoice'),
    /** `never`, `yearly` or `monthly` (counters per period in `invoice_series_counters`). */
    reset: p.string().length(16).default('never'),
    /** The currency this series is the default for (null: any). */
    currency: p.string().length(3).nullable(),
    createdAt: createdAtProperty(),
  },
});
export type IInvoiceSeries = InferEntity<typeof InvoiceSeries>;
