import type { FrozenSeller, VatStatus } from './frozen-document.ts';
import { checkIban, checkTaxId } from './tax-ids.ts';

/**
 * The seller's identity: what a company must state before any invoice is issued in its name
 * (PL VAT act art. 106e(1) items 3–5; RO Codul fiscal art. 319(20); CIUS-RO BR-RO-100/110 for
 * the county). Until it is complete, orders wait as "awaiting company details".
 */

/** ISO 3166-2:RO: the 41 counties and Bucharest (`B`). */
export const RO_COUNTIES: ReadonlySet<string> = new Set(
  'AB AR AG BC BH BN BT BR BV BZ CL CS CJ CT CV DB DJ GL GR GJ HR HD IL IS IF MM MH MS NT OT PH SJ SM SB SV TR TM TL VL VS VN B'
    .split(' ')
    .map((c) => `RO-${c}`),
);

export interface CompanyIdentityRow {
  name: string;
  legalName: string | null;
  taxId: string | null;
  registrationNumber: string | null;
  address: Record<string, string> | null;
  country: string;
  vatStatus: string;
  bankAccount: string | null;
}

export interface IdentityIssue {
  /** The form field to fix: `legalName`, `taxId`, `address.street`, `address.county`, … */
  field: string;
  /** `missing`: not given yet (orders wait); `invalid`: given but wrong (refused on save). */
  kind: 'missing' | 'invalid';
  message: string;
}

const VAT_STATUSES: readonly VatStatus[] = ['registered', 'exempt'];

/** Bucharest's city on a Romanian invoice is its sector (`SECTOR1`…`SECTOR6`, BR-RO-100). */
export function bucharestSector(city: string): string | null {
  const m = /^\s*(?:sector(?:ul)?)\s*([1-6])\s*$/i.exec(city);
  return m ? `SECTOR${m[1]}` : null;
}

/** Every problem that keeps this company from issuing invoices; empty when it may. */
export function identityIssues(company: CompanyIdentityRow): IdentityIssue[] {
  const issues: IdentityIssue[] = [];
  const country = company.country.toUpperCase();
  const address = company.address ?? {};
  if (!company.legalName?.trim())
    issues.push({
      field: 'legalName',
      kind: 'missing',
      message: 'Enter the legal name the tax office knows the company by.',
    });
  if (!company.taxId?.trim())
    issues.push({
      field: 'taxId',
      kind: 'missing',
      message: `Enter the company's tax id (${taxIdName(country)}).`,
    });
  else {
    const problem = checkTaxId(country, company.taxId);
    if (problem) issues.push({ field: 'taxId', kind: 'invalid', message: `${company.taxId}: ${problem}.` });
  }
  for (const [key, label] of [
    ['street', 'street and number'],
    ['city', 'city'],
    ['postalCode', 'postal code'],
  ] as const) {
    if (!address[key]?.trim())
      issues.push({
        field: `address.${key}`,
        kind: 'missing',
        message: `Enter the company address's ${label}.`,
      });
  }
  const addressCountry = (address.country ?? country).toUpperCase();
  if (addressCountry !== country)
    issues.push({
      field: 'address.country',
      kind: 'invalid',
      message: `The address is in ${addressCountry} but the company is registered in ${country}; they must match.`,
    });
  if (country === 'PL' && address.postalCode && !/^\d{2}-\d{3}$/.test(address.postalCode.trim()))
    issues.push({
      field: 'address.postalCode',
      kind: 'invalid',
      message: 'A Polish postal code is written 00-950.',
    });
  if (country === 'RO') {
    const county = address.county?.trim().toUpperCase();
    if (!county)
      issues.push({
        field: 'address.county',
        kind: 'missing',
        message: 'Choose the county (ISO 3166-2:RO, e.g. RO-CJ; RO-B for Bucharest).',
      });
    else if (!RO_COUNTIES.has(county))
      issues.push({
        field: 'address.county',
        kind: 'invalid',
        message: `${address.county} is not a Romanian county code; use ISO 3166-2:RO such as RO-CJ, or RO-B for Bucharest.`,
      });
    else if (county === 'RO-B' && address.city && !bucharestSector(address.city))
      issues.push({
        field: 'address.city',
        kind: 'invalid',
        message: 'In Bucharest the city is the sector: write "Sector 1" … "Sector 6".',
      });
  }
  if (!VAT_STATUSES.includes(company.vatStatus as VatStatus))
    issues.push({
      field: 'vatStatus',
      kind: 'invalid',
      message: 'Choose the VAT status: registered or exempt.',
    });
  if (company.bankAccount) {
    const problem = checkIban(company.bankAccount);
    if (problem)
      issues.push({ field: 'bankAccount', kind: 'invalid', message: `${company.bankAccount}: ${problem}.` });
  }
  return issues;
}

export function taxIdName(country: string): string {
  return { PL: 'NIP', RO: 'CUI/CIF', HU: 'adószám', BG: 'EIK/BULSTAT' }[country.toUpperCase()] ?? 'tax id';
}

/** The seller as frozen on a document; call only for a company without {@link identityIssues}. */
export function frozenSeller(company: CompanyIdentityRow): FrozenSeller {
  const a = company.address ?? {};
  const country = company.country.toUpperCase();
  const county = a.county?.trim().toUpperCase();
  const city = county === 'RO-B' ? (bucharestSector(a.city ?? '') ?? a.city ?? '') : (a.city ?? '');
  return {
    legalName: company.legalName!.trim(),
    taxId: company.taxId!.replace(/\s/g, ''),
    ...(company.registrationNumber ? { registrationNumber: company.registrationNumber } : {}),
    address: {
      street: a.street!.trim(),
      city: city.trim(),
      postalCode: a.postalCode!.trim(),
      country,
      ...(county ? { county } : {}),
    },
    bankAccount: company.bankAccount ? company.bankAccount.replace(/\s/g, '').toUpperCase() : null,
    vatStatus: company.vatStatus as VatStatus,
  };
}

/** Realistic complete companies for demo mode and tests (tax ids pass their checks). */
export const SAMPLE_COMPANIES = {
  PL: {
    legalName: 'Sklep Demo Kowalski sp. z o.o.',
    taxId: '7740001454',
    registrationNumber: 'KRS 0000123456',
    address: { street: 'ul. Marszałkowska 10/12', city: 'Warszawa', postalCode: '00-590', country: 'PL' },
    country: 'PL',
    defaultCurrency: 'PLN',
    vatStatus: 'registered',
    bankAccount: 'PL61109010140000071219812874',
  },
  RO: {
    legalName: 'Magazin Demo Popescu S.R.L.',
    taxId: 'RO14399840',
    registrationNumber: 'J40/372/2002',
    address: {
      street: 'Strada Victoriei 15',
      city: 'Sector 1',
      postalCode: '010061',
      country: 'RO',
      county: 'RO-B',
    },
    country: 'RO',
    defaultCurrency: 'RON',
    vatStatus: 'registered',
    bankAccount: 'RO49AAAA1B31007593840000',
  },
} as const;
