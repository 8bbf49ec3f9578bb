import { randomUUID } from 'node:crypto';
import { p } from '@mikro-orm/core';

/** Every table: a random UUID key and creation time. Marketplace ids are kept as strings elsewhere. */
export const idProperty = () =>
  p
    .uuid()
    .primary()
    .onCreate(() => randomUUID());
export const createdAtProperty = () => p.datetime().onCreate(() => new Date());
export const updatedAtProperty = () =>
  p
    .datetime()
    .onCreate(() => new Date())
    .onUpdate(() => new Date());

/** Exact money: numeric columns read and written as decimal strings, never floats. */
export const moneyProperty = () => p.decimal('string').precision(16).scale(2);
export const unitPriceProperty = () => p.decimal('string').precision(18).scale(4);
export const quantityProperty = () => p.decimal('string').precision(14).scale(3);
export const vatRateProperty = () => p.decimal('string').precision(5).scale(2);
