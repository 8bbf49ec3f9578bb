import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAtProperty, idProperty, updatedAtProperty } from './common.ts';

/** The seller's legal entity: what its invoices say about the issuer. */
export const Company = defineEntity({
  name: 'Company',
  tableName: 'companies',
  properties: {
    id: idProperty(),
    tenantId: p.uuid().index(),
    name: p.string().length(300),
    /** The name the law knows the seller by (`Sklep Kowalski sp. z o.o.`); invoices print this. */
    legalName: p.string().length(300).nullable(),
    taxId: p.string().length(64).nullable(),
    registrationNumber: p.string().length(64).nullable(),
    address: p.json<Record<string, string>>().nullable(),
    country: p.string().length(2).default('PL'),
    defaultCurrency: p.string().length(3).default('PLN'),
    isDefault: p.boolean().default(false),
    /** `registered` (charges VAT) or `exempt`. */
    vatStatus: p.string().length(16).default('registered'),
    /** IBAN, validated on save. */
    bankAccount: p.string().length(64).nullable(),
    /** EU One-Stop-Shop: distance sales to consumers in other EU countries carry their VAT. */
    usesOss: p.boolean().default(false),
    createdAt: createdAtProperty(),
    updatedAt: updatedAtProperty(),
  },
});
export type ICompany = InferEntity<typeof Company>;
