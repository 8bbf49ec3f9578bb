import { describe, expect, it } from 'vitest';
import { buildDocument } from '../invoicing/build-document.ts';
import type { FrozenSeller, FrozenTemplate } from '../invoicing/frozen-document.ts';
import { toInvoiceDraft } from './invoice-draft.ts';
import { documentsJson } from './invoice-sql.ts';
import type { Issuance, Issuer } from './issuance.ts';
import { documentBody } from './issue-sql.ts';
import { compileMappings } from './mapping-engine.ts';
import { ALLEGRO_MAPPINGS, allegroOrder } from './test-fixtures.ts';

const seller: FrozenSeller = {
  legalName: 'Sklep „Ala” Sp. z o.o.',
  taxId: 'PL5260250274',
  address: { street: 'ul. "Cicha" 1\\2', city: 'Warszawa', postalCode: '00-001', country: 'PL' },
  vatStatus: 'registered',
  bankAccount: null,
};
const template = {
  id: 't1',
  layout: 'classic',
  footer: 'Dziękujemy!\n"cytat"',
  logo: null,
} as unknown as FrozenTemplate;

describe('documentsJson', () => {
  it('says what JSON.stringify says of each whole document, the shared seller and template written once', async () => {
    const mappings = compileMappings(ALLEGRO_MAPPINGS);
    const variables = { settings: { defaultVatRate: 23 }, integration: {} };
    const drafts = await Promise.all(
      [0, 1, 2].map(async (i) => toInvoiceDraft(await mappings.map('invoice', allegroOrder(i), variables))),
    );
    const issuances: Extract<Issuance, { ok: true }>[] = [
      { ok: true, tax: { country: 'PL', oss: false }, rate: null },
      {
        ok: true,
        tax: { country: 'CZ', oss: true },
        rate: {
          rate: '0.1712',
          source: 'NBP',
          table: '231/A/NBP/2026',
          date: '2026-11-19',
          nationalCurrency: 'PLN',
        },
      },
      { ok: true, tax: { country: 'PL', oss: false }, rate: null, reverseCharge: true },
    ];
    for (const shared of [{ template }, { template: null }]) {
      const scope = { issuer: { seller, template: shared.template } as Issuer, pluginId: 'allegro' };
      const invoices = drafts.map((draft, i) => ({
        seriesCode: i === 1 ? 'FV-"CZK"' : 'FV',
        number: `FV/2026/${i + 1}`,
        documentBody: documentBody(scope, draft, issuances[i]!),
      }));
      const whole = drafts.map((draft, i) =>
        buildDocument({
          type: 'invoice',
          draft,
          seller,
          seriesCode: invoices[i]!.seriesCode,
          number: invoices[i]!.number,
          tax: issuances[i]!.tax,
          rate: issuances[i]!.rate,
          marketplace: 'allegro',
          template: shared.template,
          reverseCharge: issuances[i]!.reverseCharge ?? false,
        }),
      );
      const text = documentsJson(invoices, { seller, template: shared.template });
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(whole)));
      expect(text.split('"Sklep').length - 1).toBe(3);
    }
    expect(documentsJson([], { seller, template: null })).toBe('[]');
  });
});
