import { describe, expect, it } from 'vitest';
import { identityIssues, SAMPLE_COMPANIES } from './seller-identity.ts';
import { checkBuyerVatId, checkIban, checkTaxId } from './tax-ids.ts';
import { isReverseCharge, ratesOn, standardRate, taxCountry } from './vat-rates.ts';

describe('tax ids: check digits per country', () => {
  it.each([
    ['PL', '7740001454'],
    ['PL', 'PL 774-000-14-54'],
    ['PL', '5260250995'],
    ['RO', 'RO14399840'],
    ['RO', '18547290'],
    ['HU', '10773381-2-44'],
    ['HU', 'HU10597190'],
    ['BG', '175074752'],
    ['BG', 'BG121817309'],
    ['BG', '1750747520126'],
  ])('%s %s is valid', (country, value) => {
    expect(checkTaxId(country, value)).toBeNull();
  });

  it.each([
    ['PL', '7740001455', 'check digit'],
    ['PL', '774000145', '10 digits'],
    ['RO', 'RO14399841', 'check digit'],
    ['RO', 'RO1', '2 to 10 digits'],
    ['HU', '10773382-2-44', 'check digit'],
    ['HU', '10773381-7-44', 'VAT code'],
    ['BG', '175074753', 'check digit'],
    ['BG', '1750747520127', 'check digit'],
    ['BG', '12345', '9 or 13 digits'],
  ])('%s %s is refused (%s)', (country, value, words) => {
    expect(checkTaxId(country, value)).toContain(words);
  });

  it('checks IBANs: length per country and mod 97', () => {
    expect(checkIban('PL61 1090 1014 0000 0712 1981 2874')).toBeNull();
    expect(checkIban('RO49AAAA1B31007593840000')).toBeNull();
    expect(checkIban('PL61 1090 1014 0000 0712 1981 2875')).toContain('check digits');
    expect(checkIban('PL61 1090 1014 0000 0712 1981 287')).toContain('28 characters');
  });
});

describe('seller identity', () => {
  it('finds the sample companies complete', () => {
    for (const c of Object.values(SAMPLE_COMPANIES)) expect(identityIssues({ name: 'x', ...c })).toEqual([]);
  });

  it('locates every gap and every wrong value', () => {
    const issues = identityIssues({
      name: 'Shop',
      legalName: null,
      taxId: 'RO14399841',
      registrationNumber: null,
      address: { street: 'Strada Victoriei 1', city: 'Bucuresti', postalCode: '010061', county: 'B' },
      country: 'RO',
      vatStatus: 'registered',
      bankAccount: 'RO49AAAA1B31007593840001',
    });
    expect(issues.map((i) => [i.field, i.kind])).toEqual([
      ['legalName', 'missing'],
      ['taxId', 'invalid'],
      ['address.county', 'invalid'],
      ['bankAccount', 'invalid'],
    ]);
    const bucharest = identityIssues({
      ...SAMPLE_COMPANIES.RO,
      name: 'x',
      address: { ...SAMPLE_COMPANIES.RO.address, city: 'Bucuresti' },
    });
    expect(bucharest).toMatchObject([
      { field: 'address.city', message: expect.stringContaining('Sector 1') },
    ]);
  });
});

describe('VAT rates by date', () => {
  it('knows Romania before and after 2025-08-01, and the standard rates', () => {
    expect(ratesOn('RO', '2025-07-31')).toContain('19.00');
    expect(ratesOn('RO', '2025-08-01')).toEqual(['21.00', '11.00', '0.00']);
    expect(standardRate('HU', '2026-01-01')).toBe('27.00');
    expect(standardRate('SK', '2024-12-31')).toBe('20.00');
    expect(standardRate('SK', '2025-01-01')).toBe('23.00');
    expect(ratesOn('BG', '2026-01-01')).toEqual(['20.00', '9.00', '0.00']);
    expect(ratesOn('US', '2026-01-01')).toBeUndefined();
  });

  it('taxes an OSS distance sale to a consumer in the buyer’s country', () => {
    const base = { sellerCountry: 'PL', buyerCountry: 'CZ', buyerIsConsumer: true };
    expect(taxCountry({ ...base, usesOss: true })).toEqual({ country: 'CZ', oss: true });
    expect(taxCountry({ ...base, usesOss: false })).toEqual({ country: 'PL', oss: false });
    expect(taxCountry({ ...base, usesOss: true, buyerIsConsumer: false })).toEqual({
      country: 'PL',
      oss: false,
    });
  });

  it('reverse-charges an intra-EU sale to a business with a valid VAT id of its country only', () => {
    expect(checkBuyerVatId('BG', 'BG175074752')).toBeNull();
    expect(checkBuyerVatId('BG', 'BG175074753')).toMatch(/check digit/);
    expect(checkBuyerVatId('HU', '12345676-2-41')).toBeNull();
    expect(checkBuyerVatId('CZ', 'CZ12345678')).toBeNull();
    expect(checkBuyerVatId('GR', 'EL123456789')).toBeNull();
    expect(checkBuyerVatId('CZ', 'SK1234567890')).toMatch(/starts with SK, not with CZ/);
    const base = {
      sellerCountry: 'RO',
      sellerRegistered: true,
      buyerCountry: 'BG',
      buyerIsBusiness: true,
      buyerVatIdIssue: null,
    };
    expect(isReverseCharge(base)).toBe(true);
    expect(isReverseCharge({ ...base, buyerCountry: 'RO' })).toBe(false); // domestic
    expect(isReverseCharge({ ...base, buyerIsBusiness: false })).toBe(false); // consumer
    expect(isReverseCharge({ ...base, buyerVatIdIssue: 'no tax id' })).toBe(false);
    expect(isReverseCharge({ ...base, sellerRegistered: false })).toBe(false); // exempt seller
    expect(isReverseCharge({ ...base, buyerCountry: 'GB' })).toBe(false); // outside the EU
  });
});
