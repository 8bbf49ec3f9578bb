import type { IssuedDocumentBody } from '@mch/plugin-sdk';

type IssuedLine = IssuedDocumentBody['lines'][number];
type IssuedDocument = IssuedDocumentBody;

/** Documents as the host freezes them for a Romanian seller (host/src/invoicing/build-document.ts). */

export const RO_SELLER: IssuedDocument['seller'] = {
  legalName: 'Magazin Demo Popescu S.R.L.',
  taxId: 'RO14399840',
  registrationNumber: 'J40/372/2002',
  address: {
    street: 'Strada Victoriei 15',
    city: 'SECTOR1',
    postalCode: '010061',
    country: 'RO',
    county: 'RO-B',
  },
  bankAccount: 'RO49AAAA1B31007593840000',
  vatStatus: 'registered',
};

function line(
  position: number,
  name: string,
  quantity: string,
  unitNet: string,
  vatRate: string,
): IssuedLine {
  const net = (Math.round(Number(quantity) * Number(unitNet) * 100) / 100).toFixed(2);
  const vat = (Math.round(Number(net) * Number(vatRate)) / 100).toFixed(2);
  return {
    position,
    name,
    quantity,
    unit: 'buc.',
    unitNet,
    unitGross: (Math.round(Number(unitNet) * (100 + Number(vatRate))) / 100).toFixed(2),
    vatRate,
    net,
    vat,
    gross: (Number(net) + Number(vat)).toFixed(2),
  };
}

function summarise(lines: IssuedLine[], rate?: string) {
  const byRate = new Map<string, { net: number; vat: number }>();
  for (const l of lines) {
    const s = byRate.get(l.vatRate) ?? { net: 0, vat: 0 };
    s.net += Number(l.net);
    s.vat += Number(l.vat);
    byRate.set(l.vatRate, s);
  }
  const vatSummary = [...byRate].map(([vatRate, s]) => ({
    vatRate,
    net: s.net.toFixed(2),
    vat: s.vat.toFixed(2),
    gross: (s.net + s.vat).toFixed(2),
    ...(rate ? { vatNational: (Math.round(s.vat * Number(rate) * 100) / 100).toFixed(2) } : {}),
  }));
  const net = vatSummary.reduce((a, s) => a + Number(s.net), 0);
  const vat = vatSummary.reduce((a, s) => a + Number(s.vat), 0);
  return { vatSummary, totals: { net: net.toFixed(2), vat: vat.toFixed(2), gross: (net + vat).toFixed(2) } };
}

export function roDocument(overrides: Partial<IssuedDocument> = {}, n = 1): IssuedDocument {
  const lines = overrides.lines ?? [
    line(1, 'Casti wireless Bluetooth', '2', '84.03', '21.00'),
    line(2, 'Carte "Amintiri din copilarie" & semn de carte', '1', '45.87', '11.00'),
  ];
  const currency = overrides.currency ?? 'RON';
  const rate = overrides.exchangeRate?.rate;
  const { vatSummary, totals } = summarise(lines, currency === 'RON' ? undefined : (rate ?? '5.0900'));
  return {
    version: 1,
    language: 'ro',
    type: 'invoice',
    series: 'EMG',
    number: `EMG/2026/12/${n}`,
    issueDate: '2026-12-03',
    saleDate: '2026-12-03',
    seller: RO_SELLER,
    buyer: {
      name: 'Ioana Popa',
      kind: 'consumer',
      taxIds: [],
      address: { street: 'Str. Lalelelor 7', city: 'Cluj-Napoca', postalCode: '400123', country: 'RO' },
      email: 'ioana.popa@example.ro',
    },
    lines,
    vatSummary,
    totals,
    currency,
    exchangeRate:
      currency === 'RON'
        ? null
        : {
            rate: rate ?? '5.0900',
            source: 'BNR',
            table: 'BNR 2026-12-02',
            date: '2026-12-02',
            nationalCurrency: 'RON',
            vatNational: vatSummary.reduce((a, s) => a + Number(s.vatNational), 0).toFixed(2),
          },
    taxCountry: 'RO',
    oss: false,
    externalOrderId: `${4000000 + n}`,
    marketplace: `eMAG RO #${4000000 + n}`,
    payment: { method: null, dueDate: '2026-12-03', paid: true },
    corrects: null,
    ...overrides,
  };
}

export const lineOf = line;
export const totalsOf = summarise;
