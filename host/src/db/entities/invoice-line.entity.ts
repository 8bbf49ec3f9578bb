import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { idProperty, moneyProperty, quantityProperty, unitPriceProperty, vatRateProperty } from './common.ts';

export const InvoiceLine = defineEntity({
  name: 'InvoiceLine',
  tableName: 'invoice_lines',
  uniques: [{ properties: ['invoiceId', 'position'] }],
  properties: {
    id: idProperty(),
    invoiceId: p.uuid(),
    position: p.integer(),
    productId: p.uuid().nullable(),
    name: p.string().length(500),
    quantity: quantityProperty(),
    unitNet: unitPriceProperty(),
    unitGross: unitPriceProperty(),
    vatRate: vatRateProperty(),
    netAmount: moneyProperty(),
    vatAmount: moneyProperty(),
    grossAmount: moneyProperty(),
  },
});
export type IInvoiceLine = InferEntity<typeof InvoiceLine>;
