import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_CNP, toUbl } from '../src/ubl.ts';
import { stopValidator, validateBatch, type ValidationResult } from '../src/validate.ts';
import { lineOf, roDocument, RO_SELLER, totalsOf } from './fixtures.ts';

/** ANAF's example invoices (reference/ro-efactura/examples, shared beside the repo). */
const EXAMPLES = resolve(import.meta.dirname, '../../../../shared/reference/ro-efactura/examples');

const creditLines = [lineOf(1, 'Casti wireless Bluetooth', '-1', '84.03', '21.00')];
const cases = {
  ronConsumer: roDocument(),
  // A foreign-currency document as the host freezes it: the BNR rate and the VAT in RON.
  eurConsumer: roDocument({ currency: 'EUR' }, 2),
  roBusinessBucharest: roDocument(
    {
      buyer: {
        name: 'Tech Solutions SRL',
        kind: 'business',
        companyName: 'Tech Solutions SRL',
        taxIds: [{ type: 'TAX_ID', value: 'RO18547290' }],
        address: { street: 'Bd. Unirii 1', city: 'Sector 3', postalCode: '030167', country: 'RO' },
      },
    },
    3,
  ),
  foreignConsumer: roDocument(
    {
      buyer: {
        name: 'Kovács Anna',
        kind: 'consumer',
        taxIds: [],
        address: { street: 'Fő utca 1', city: 'Budapest', postalCode: '1011', country: 'HU' },
      },
    },
    4,
  ),
  creditNote: roDocument(
    { type: 'correction', lines: creditLines, ...totalsOf(creditLines), corrects: 'x' },
    5,
  ),
  sellerWithoutCounty: roDocument(
    {
      seller: {
        ...RO_SELLER,
        address: { street: 'Str. Fabricii 3', city: 'Oras', postalCode: '', country: 'RO' },
      },
    },
    6,
  ),
  buyerWithoutCounty: roDocument(
    {
      buyer: {
        name: 'Ana Stan',
        kind: 'consumer',
        taxIds: [],
        address: { street: 'Str. Morii 2', city: 'Oras', country: 'RO' },
      },
    },
    7,
  ),
};
const names = Object.keys(cases) as (keyof typeof cases)[];
const xml = Object.fromEntries(names.map((n) => [n, toUbl(cases[n]).xml])) as Record<
  keyof typeof cases,
  string
>;
const exampleFiles = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.xml'))
  .sort();
let results: Record<string, ValidationResult>;

beforeAll(async () => {
  const inputs = [
    ...names.map((n) => xml[n]),
    ...exampleFiles.map((f) => readFileSync(join(EXAMPLES, f), 'utf8')),
  ];
  const out = await validateBatch(inputs);
  results = Object.fromEntries([...names, ...exampleFiles].map((n, i) => [n, out[i]!]));
}, 600_000);
afterAll(() => stopValidator());

const rules = (n: string) => results[n]!.errors.map((e) => e.rule).sort();

describe('ANAF examples through the same validator (UBL XSD + CIUS-RO 1.0.9 Schematron)', () => {
  it('passes every example that CIUS-RO 1.0.9 still accepts', () => {
    const passing = exampleFiles.filter((f) => f !== 'ubl_b2g_example6.xml');
    expect(passing).toHaveLength(10);
    for (const f of passing) expect({ f, errors: results[f]!.errors }).toEqual({ f, errors: [] });
  });

  it('finds in example6 exactly the three faults the Ministry’s own 1.0.9 rules find (it predates them)', () => {
    // Checked against Saxon's command line on the unmodified artefacts: "Sector 1" is no county
    // (BR-RO-111, BR-RO-170 on the tax representative) and its 6 % breakdown misses a line (BR-S-08).
    expect(rules('ubl_b2g_example6.xml')).toEqual(['BR-RO-111', 'BR-RO-170', 'BR-S-08']);
  });
});

describe('documents made from frozen documents', () => {
  it('a RON consumer invoice is valid and names the buyer with 13 zeros', () => {
    expect(results.ronConsumer!.errors).toEqual([]);
    expect(xml.ronConsumer).toContain(`<cbc:CompanyID>${NO_CNP}</cbc:CompanyID>`);
    expect(xml.ronConsumer).toContain('<cbc:CountrySubentity>RO-CJ</cbc:CountrySubentity>');
    expect(xml.ronConsumer).toContain('<cbc:CityName>SECTOR1</cbc:CityName>');
    expect(xml.ronConsumer).toContain(
      '<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:efactura.mfinante.ro:CIUS-RO:1.0.1</cbc:CustomizationID>',
    );
    expect(xml.ronConsumer).toContain('<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>');
  });

  it('a EUR invoice states its VAT in RON at the frozen BNR rate', () => {
    expect(results.eurConsumer!.errors).toEqual([]);
    const doc = cases.eurConsumer;
    expect(xml.eurConsumer).toContain('<cbc:TaxCurrencyCode>RON</cbc:TaxCurrencyCode>');
    expect(xml.eurConsumer).toContain(
      `<cbc:TaxAmount currencyID="RON">${doc.exchangeRate!.vatNational}</cbc:TaxAmount>`,
    );
    expect(xml.eurConsumer).toContain(`<cbc:TaxAmount currencyID="EUR">${doc.totals.vat}</cbc:TaxAmount>`);
  });

  it('a Romanian business in Bucharest gets its VAT id, its sector and RO-B', () => {
    expect(results.roBusinessBucharest!.errors).toEqual([]);
    expect(xml.roBusinessBucharest).toContain('<cbc:CompanyID>RO18547290</cbc:CompanyID>');
    expect(xml.roBusinessBucharest).toContain(
      '<cbc:CityName>SECTOR3</cbc:CityName><cbc:PostalZone>030167</cbc:PostalZone><cbc:CountrySubentity>RO-B</cbc:CountrySubentity>',
    );
  });

  it('a foreign consumer is valid without a Romanian county', () => {
    expect(results.foreignConsumer!.errors).toEqual([]);
    expect(xml.foreignConsumer).toContain('<cbc:IdentificationCode>HU</cbc:IdentificationCode>');
  });

  it('a negative correction is a CreditNote 381 with positive credited amounts', () => {
    expect(results.creditNote!.errors).toEqual([]);
    expect(xml.creditNote).toContain('<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>');
    expect(xml.creditNote).toContain('<cbc:CreditedQuantity unitCode="H87">1</cbc:CreditedQuantity>');
    expect(toUbl(cases.creditNote).standard).toBe('CN');
  });

  it('a seller address without a county is refused with BR-RO-110 and its message', () => {
    expect(rules('sellerWithoutCounty')).toEqual(['BR-RO-110']);
    expect(results.sellerWithoutCounty!.errors[0]!.message).toMatch(
      /^\[BR-RO-110\]-Daca Codul tarii Vanzatorului/,
    );
  });

  it('a buyer address without a county is refused with BR-RO-111 (whose text is BR-RO-110’s)', () => {
    expect(rules('buyerWithoutCounty')).toEqual(['BR-RO-111']);
    expect(results.buyerWithoutCounty!.errors[0]!.message).toMatch(
      /^\[BR-RO-110\]-Daca Codul tarii Cumparatorului/,
    );
  });

  it('a document that is not UBL is refused by the schema step', async () => {
    const [r] = await validateBatch(['<Order xmlns="urn:x"/>']);
    expect(r!.ok).toBe(false);
    expect(r!.errors[0]!.rule).toBe('XSD');
  });
});
