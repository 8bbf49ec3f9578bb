import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import {
  createdAtProperty,
  idProperty,
  unitPriceProperty,
  updatedAtProperty,
  vatRateProperty,
} from './common.ts';

/** A product in the seller's catalogue, created from a marketplace offer when enabled. */
export const Product = defineEntity({
  name: 'Product',
  tableName: 'products',
  // The unique index leads with tenant_id: it serves queries by tenant (no index of its own).
  uniques: [{ properties: ['tenantId', 'source', 'externalId'] }],
  properties: {
    id: idProperty(),
    tenantId: p.uuid(),
    source: p.string().length(64),
    externalId: p.string().length(200),
    sku: p.string().length(200).nullable(),
    name: p.string().length(500),
    vatRate: vatRateProperty(),
    unitPrice: unitPriceProperty().nullable(),
    currency: p.string().length(3).nullable(),
    ean: p.string().length(64).nullable(),
    partNumber: p.string().length(200).nullable(),
    /** The sale price marketplaces' offers are given (net, in `currency`); null: not managed here. */
    price: unitPriceProperty().nullable(),
    stock: p.integer().default(0),
    active: p.boolean().default(true),
    /**
     * From the `product_versions` sequence: the column's default on insert, a trigger whenever
     * stock, price, active or VAT change (migration ProductWriteCost).
     */
    version: p.bigint().default(0),
    createdAt: createdAtProperty(),
    updatedAt: updatedAtProperty(),
  },
});
export type IProduct = InferEntity<typeof Product>;
