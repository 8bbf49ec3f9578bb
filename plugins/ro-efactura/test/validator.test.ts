import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportable } from '../src/report.ts';
import { NO_CNP, toUbl, vatCategory, type UblOptions } from '../src/ubl.ts';
import { stopValidator, validateBatch, type ValidationResult } from '../src/validate.ts';
import { lineOf, roDocument, RO_SELLER, totalsOf } from './fixtures.ts';

/** ANAF's example invoices (reference/ro-efactura/examples, shared beside the repo). */
const EXAMPLES = resolve(import.meta.dirname, '../../../../shared/reference/ro-efactura/examples');

const creditLines = [lineOf(1, 'Casti wireless Bluetooth', '-1', '84.03', '21.00')];
const zeroRated = [lineOf(1, 'Casti wireless Bluetooth', '2', '84.03', '0.00')];
const corrected: UblOptions = { correctedNumber: 'EMG/2026/12/1', correctedIssueDate: '2026-12-01' };
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
  stornoInvoice: roDocument(
    { type: 'correction', lines: creditLines, ...totalsOf(creditLines), corrects: 'x' },
    8,
  ),
  // (a) An EU business with its VAT id, goods leaving Romania free of VAT: intra-Community supply.
  euBusinessIntraCommunity: roDocument(
    {
      buyer: {
        name: 'Müller Handel GmbH',
        kind: 'business',
        companyName: 'Müller Handel GmbH',
        taxIds: [{ type: 'VAT_EU', value: 'DE123456789' }],
        address: { street: 'Hauptstraße 5', city: 'München', postalCode: '80331', country: 'DE' },
      },
      lines: zeroRated,
      ...totalsOf(zeroRated),
    },
    9,
  ),
  // (b) A Moldovan company (IDNO), goods exported free of VAT.
  nonEuBusinessExport: roDocument(
    {
      buyer: {
        name: 'Agro Prim SRL',
        kind: 'business',
        companyName: 'Agro Prim SRL',
        taxIds: [{ type: 'TAX_ID', value: '1003600012345' }],
        address: { street: 'Str. Stefan cel Mare 1', city: 'Chisinau', postalCode: 'MD-2001', country: 'MD' },
      },
      lines: zeroRated,
      ...totalsOf(zeroRated),
    },
    10,
  ),
  // (b) A British company (a GB VAT number is no EU VAT id) charged Romanian VAT.
  nonEuBusinessRoVat: roDocument(
    {
      buyer: {
        name: 'Acme Trading Ltd',
        kind: 'business',
        companyName: 'Acme Trading Ltd',
        taxIds: [{ type: 'VAT', value: 'GB123456789' }],
        address: { street: '1 High Street', city: 'London', postalCode: 'SW1A 1AA', country: 'GB' },
      },
    },
    11,
  ),
  // (c) A Bulgarian company without an EU VAT id (its national company number only): Romanian VAT.
  euBusinessWithoutVatId: roDocument(
    {
      buyer: {
        name: 'Sofia Trade EOOD',
        kind: 'business',
        companyName: 'Sofia Trade EOOD',
        taxIds: [{ type: 'TAX_ID', value: '204567891' }],
        address: { street: 'bul. Vitosha 10', city: 'Sofia', postalCode: '1000', country: 'BG' },
      },
    },
    12,
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
const options: Partial<Record<keyof typeof cases, UblOptions>> = {
  creditNote: { ...corrected, corrections: 'credit-note' },
  stornoInvoice: { ...corrected, corrections: 'storno' },
};
const names = Object.keys(cases) as (keyof typeof cases)[];
const xml = Object.fromEntries(names.map((n) => [n, toUbl(cases[n], options[n]).xml])) as Record<
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
    expect(xml.creditNote).toContain('<cbc:PayableAmount currencyID="RON">0.00</cbc:PayableAmount>');
    expect(xml.creditNote).toContain(
      '<cbc:TaxInclusiveAmount currencyID="RON">101.68</cbc:TaxInclusiveAmount>',
    );
    expect(xml.creditNote).toContain(
      '<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>EMG/2026/12/1</cbc:ID><cbc:IssueDate>2026-12-01</cbc:IssueDate>',
    );
    expect(toUbl(cases.creditNote, options.creditNote).standard).toBe('CN');
    // The default (an integration saved before the setting existed) is the credit note.
    expect(toUbl(cases.creditNote).xml).toContain('<CreditNote ');
  });

  it('with the storno setting the same credit is an Invoice 380 with minus quantities, citing the invoice', () => {
    expect(results.stornoInvoice!.errors).toEqual([]);
    expect(xml.stornoInvoice).toMatch(/^<\?xml[^>]*>\n<Invoice /);
    expect(xml.stornoInvoice).toContain('<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>');
    expect(xml.stornoInvoice).toContain('<cbc:InvoicedQuantity unitCode="H87">-1</cbc:InvoicedQuantity>');
    expect(xml.stornoInvoice).toContain(
      '<cbc:LineExtensionAmount currencyID="RON">-84.03</cbc:LineExtensionAmount>',
    );
    // BR-27: the price stays positive; the minus is on the quantity.
    expect(xml.stornoInvoice).toContain('<cbc:PriceAmount currencyID="RON">84.03</cbc:PriceAmount>');
    expect(xml.stornoInvoice).toContain(
      '<cbc:TaxInclusiveAmount currencyID="RON">-101.68</cbc:TaxInclusiveAmount>',
    );
    expect(xml.stornoInvoice).toContain(
      '<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>EMG/2026/12/1</cbc:ID><cbc:IssueDate>2026-12-01</cbc:IssueDate>',
    );
    expect(toUbl(cases.stornoInvoice, options.stornoInvoice).standard).toBe('UBL');
  });
});

describe('foreign business buyers', () => {
  it('(a) an EU business with its VAT id, zero-rated: an intra-Community supply, not reported', () => {
    const doc = cases.euBusinessIntraCommunity;
    expect(vatCategory(doc, '0.00')).toBe('K');
    expect(reportable(doc)).toEqual({
      required: false,
      why: expect.stringMatching(/intra-Community supply/),
    });
    expect(xml.euBusinessIntraCommunity).toContain('<cbc:CompanyID>DE123456789</cbc:CompanyID>');
  });

  it('(b) a Moldovan company, zero-rated: a valid export (G, VATEX-EU-G), outside e-Factura', () => {
    expect(results.nonEuBusinessExport!.errors).toEqual([]);
    const x = xml.nonEuBusinessExport;
    expect(x).toContain(
      '<cbc:ID>G</cbc:ID><cbc:Percent>0</cbc:Percent><cbc:TaxExemptionReasonCode>VATEX-EU-G</cbc:TaxExemptionReasonCode>',
    );
    expect(x).toContain('<cbc:IdentificationCode>MD</cbc:IdentificationCode>');
    // BT-47 is the company's own id; no VAT id (BT-48), no Romanian county.
    expect(x).toContain(
      '<cbc:RegistrationName>Agro Prim SRL</cbc:RegistrationName><cbc:CompanyID>1003600012345</cbc:CompanyID>',
    );
    expect(x.match(/<cac:AccountingCustomerParty>.*<\/cac:AccountingCustomerParty>/)![0]).not.toContain(
      'PartyTaxScheme',
    );
    expect(reportable(cases.nonEuBusinessExport)).toEqual({
      required: false,
      why: expect.stringMatching(/export outside the EU/),
    });
  });

  it('(b) a British company charged Romanian VAT: valid, reported (as a buyer outside Romania)', () => {
    expect(results.nonEuBusinessRoVat!.errors).toEqual([]);
    const x = xml.nonEuBusinessRoVat;
    expect(x).toContain('<cbc:ID>S</cbc:ID><cbc:Percent>21</cbc:Percent>');
    expect(x).toContain('<cbc:IdentificationCode>GB</cbc:IdentificationCode>');
    expect(x).toContain('<cbc:CompanyID>GB123456789</cbc:CompanyID>');
    expect(x.match(/<cac:AccountingCustomerParty>.*<\/cac:AccountingCustomerParty>/)![0]).not.toMatch(
      /PartyTaxScheme|CountrySubentity/,
    );
    expect(reportable(cases.nonEuBusinessRoVat)).toEqual({ required: true });
  });

  it('(c) an EU company without an EU VAT id charged Romanian VAT: valid, its own country, no county', () => {
    expect(results.euBusinessWithoutVatId!.errors).toEqual([]);
    const x = xml.euBusinessWithoutVatId;
    const buyer = x.match(/<cac:AccountingCustomerParty>.*<\/cac:AccountingCustomerParty>/)![0];
    expect(buyer).toContain('<cbc:IdentificationCode>BG</cbc:IdentificationCode>');
    expect(buyer).not.toMatch(/CountrySubentity|PartyTaxScheme/);
    expect(buyer).toContain('<cbc:CompanyID>204567891</cbc:CompanyID>');
    expect(x).toContain('<cbc:ID>S</cbc:ID><cbc:Percent>21</cbc:Percent>');
    expect(reportable(cases.euBusinessWithoutVatId)).toEqual({ required: true });
  });
});

describe('documents refused by the validator', () => {
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
