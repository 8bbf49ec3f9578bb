import { describe, expect, it } from 'vitest';
import type { FrozenDocument } from '../invoicing/frozen-document.ts';
import { documentsJson } from './invoice-sql.ts';

describe('documentsJson', () => {
  it('says what JSON.stringify says of the documents, the shared seller and template stringified once', () => {
    const seller = {
      name: 'Sklep „Ala” Sp. z o.o.',
      taxIds: [{ type: 'NIP', value: '5260250274' }],
      address: { country: 'PL' },
    };
    const template = { id: 't1', layout: 'classic', footer: 'Dziękujemy!\n"cytat"', logo: null };
    const documents = [
      { number: 'FV/1', lines: [{ name: 'Kubek', net: '10.00' }], seller, template, mentions: [] },
      { number: 'FV/2', lines: [], seller, template: null, buyer: { name: 'Ana' } },
      // Documents from before templates were frozen have none.
      { number: 'FV/3', seller: { ...seller, name: 'Other' }, reverseCharge: true },
    ] as unknown as FrozenDocument[];
    const text = documentsJson(documents);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(documents)));
    expect(JSON.parse(text)[2]).not.toHaveProperty('template');
    expect(text.split('"Sklep').length - 1).toBe(2);
    expect(documentsJson([])).toBe('[]');
  });
});
