import type { ClearanceDocument, IssuedDocumentBody } from '@mch/plugin-sdk';

/** Frozen documents shaped as the host issues them (host/src/invoicing/frozen-document.ts), for tests. */
export function sampleDocument(overrides: Partial<IssuedDocumentBody> = {}): IssuedDocumentBody {
  return {
    version: 1,
    type: 'invoice',
    series: 'FV',
    number: 'FV/2026/12/7',
    issueDate: '2026-12-03',
    saleDate: '2026-12-02',
    language: 'pl',
    seller: {
      legalName: 'Demo Sklep Sp. z o.o.',
      taxId: '5265877635',
      vatId: 'PL5265877635',
      address: { street: 'ul. Prosta 1', city: 'Warszawa', postalCode: '00-001', country: 'PL' },
      bankAccount: null,
      vatStatus: 'registered',
    },
    buyer: {
      name: 'Jan Kowalski',
      kind: 'business',
      companyName: 'Kowalski & Syn <Hurt>',
      taxIds: [{ type: 'PL_NIP', value: '7740001454' }],
      address: { street: 'ul. Długa 5', city: 'Kraków', postalCode: '30-001', country: 'PL' },
    },
    lines: [
      {
        position: 1,
        name: 'Kubek ceramiczny',
        sku: 'KUB-1',
        quantity: '2.000',
        unit: 'pcs',
        unitNet: '16.26',
        unitGross: '20.00',
        vatRate: '23.00',
        net: '32.52',
        vat: '7.48',
        gross: '40.00',
      },
      {
        position: 2,
        name: 'Książka',
        quantity: '1',
        unit: 'pcs',
        unitNet: '47.62',
        unitGross: '50.00',
        vatRate: '5.00',
        net: '47.62',
        vat: '2.38',
        gross: '50.00',
      },
    ],
    vatSummary: [
      { vatRate: '23.00', net: '32.52', vat: '7.48', gross: '40.00' },
      { vatRate: '5.00', net: '47.62', vat: '2.38', gross: '50.00' },
    ],
    totals: { net: '80.14', vat: '9.86', gross: '90.00' },
    currency: 'PLN',
    exchangeRate: null,
    taxCountry: 'PL',
    oss: false,
    externalOrderId: 'order-1',
    marketplace: 'Allegro order-1',
    payment: { method: 'ONLINE', dueDate: null, paid: true },
    corrects: null,
    ...overrides,
  };
}

export function sampleClearanceDocument(
  id: string,
  document: IssuedDocumentBody = sampleDocument(),
  corrected: ClearanceDocument['corrected'] = null,
): ClearanceDocument {
  return {
    id,
    type: document.type,
    number: document.number,
    issueDate: document.issueDate,
    document,
    corrected,
    clearance: null,
  };
}

/** A EUR invoice with its NBP rate and the VAT in PLN. */
export function sampleForeignDocument(): IssuedDocumentBody {
  return sampleDocument({
    number: 'FV/2026/12/8',
    currency: 'EUR',
    lines: [
      {
        position: 1,
        name: 'Lampa',
        quantity: '1',
        unit: 'pcs',
        unitNet: '100.00',
        unitGross: '123.00',
        vatRate: '23.00',
        net: '100.00',
        vat: '23.00',
        gross: '123.00',
      },
    ],
    vatSummary: [{ vatRate: '23.00', net: '100.00', vat: '23.00', gross: '123.00', vatNational: '97.06' }],
    totals: { net: '100.00', vat: '23.00', gross: '123.00' },
    exchangeRate: {
      rate: '4.2200',
      source: 'NBP',
      table: '233/A/NBP/2026',
      date: '2026-12-01',
      nationalCurrency: 'PLN',
      vatNational: '97.06',
    },
  });
}
