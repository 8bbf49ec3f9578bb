/**
 * VAT rates by country with the dates they apply from (SPEC "Invoicing core": a dated per-country
 * rate table). Sources: the European Commission's "VAT rates applied in the Member States"
 * (taxation_customs, edition of 2025-07-01) and the national acts for the changes listed: RO Law
 * 141/2025 (21 % / 11 % from 2025-08-01), SK Act 278/2024 (23/19/5 from 2025-01-01), CZ Act
 * 349/2023 (21/12 from 2024-01-01), EE (22 % from 2024-01-01, 24 % from 2025-07-01), FI (25.5 %
 * from 2024-09-01). A period's `from` is when that set of rates began, or 2020-01-01 when the
 * set was already in force then (the table starts there). The first rate is the standard one.
 */

export interface RatePeriod {
  from: string;
  rates: readonly string[];
}

const since = (rates: string[]): RatePeriod[] => [{ from: '2020-01-01', rates }];

export const VAT_RATES: Readonly<Record<string, readonly RatePeriod[]>> = {
  AT: since(['20', '13', '10', '0']),
  BE: since(['21', '12', '6', '0']),
  BG: since(['20', '9', '0']),
  CY: since(['19', '9', '5', '3', '0']),
  CZ: [
    { from: '2020-01-01', rates: ['21', '15', '10', '0'] },
    { from: '2024-01-01', rates: ['21', '12', '0'] },
  ],
  DE: since(['19', '7', '0']),
  DK: since(['25', '0']),
  EE: [
    { from: '2020-01-01', rates: ['20', '9', '5', '0'] },
    { from: '2024-01-01', rates: ['22', '9', '5', '0'] },
    { from: '2025-07-01', rates: ['24', '13', '9', '5', '0'] },
  ],
  ES: since(['21', '10', '5', '4', '0']),
  FI: [
    { from: '2020-01-01', rates: ['24', '14', '10', '0'] },
    { from: '2024-09-01', rates: ['25.5', '14', '10', '0'] },
  ],
  FR: since(['20', '10', '5.5', '2.1', '0']),
  GR: since(['24', '13', '6', '0']),
  HR: since(['25', '13', '5', '0']),
  HU: since(['27', '18', '5', '0']),
  IE: since(['23', '13.5', '9', '4.8', '0']),
  IT: since(['22', '10', '5', '4', '0']),
  LT: since(['21', '9', '5', '0']),
  LU: since(['17', '14', '8', '3', '0']),
  LV: since(['21', '12', '5', '0']),
  MT: since(['18', '7', '5', '0']),
  NL: since(['21', '9', '0']),
  PL: since(['23', '8', '5', '0']),
  PT: since(['23', '13', '6', '0']),
  RO: [
    { from: '2020-01-01', rates: ['19', '9', '5', '0'] },
    { from: '2025-08-01', rates: ['21', '11', '0'] },
  ],
  SE: since(['25', '12', '6', '0']),
  SI: since(['22', '9.5', '5', '0']),
  SK: [
    { from: '2020-01-01', rates: ['20', '10', '0'] },
    { from: '2025-01-01', rates: ['23', '19', '5', '0'] },
  ],
};

export const EU_COUNTRIES: ReadonlySet<string> = new Set(Object.keys(VAT_RATES));

export class VatRateError extends Error {
  override name = 'VatRateError';
}

const pct = (r: string) => Number(r).toFixed(2);

/** The rates (percent, 2 decimals) valid in `country` on `date`; undefined for a country not in the table. */
export function ratesOn(country: string, date: string): string[] | undefined {
  const periods = VAT_RATES[country.toUpperCase()];
  if (!periods) return undefined;
  const period = periods.findLast((p) => p.from <= date) ?? periods[0]!;
  return period.rates.map(pct);
}

/** The standard rate of `country` on `date`. */
export function standardRate(country: string, date: string): string | undefined {
  return ratesOn(country, date)?.[0];
}

/**
 * Whether a sale is an intra-EU supply to a business taxed by the buyer (reverse charge; the
 * seller invoices without VAT and states so): a VAT-registered seller, a business buyer in
 * another EU member state, with a valid VAT id of that state (Directive 2006/112/EC art. 138 for
 * goods, art. 196 for services; the invoice mention of art. 226 points 11 and 11a). A business
 * buyer without a valid VAT id is taxed as any other buyer.
 */
export function isReverseCharge(options: {
  sellerCountry: string;
  sellerRegistered: boolean;
  buyerCountry: string | null | undefined;
  buyerIsBusiness: boolean;
  /** Null when the buyer's VAT id is valid for its country, else why not (`checkBuyerVatId`). */
  buyerVatIdIssue: string | null;
}): boolean {
  const seller = options.sellerCountry.toUpperCase();
  const buyer = options.buyerCountry?.toUpperCase();
  return (
    options.sellerRegistered &&
    options.buyerIsBusiness &&
    !!buyer &&
    buyer !== seller &&
    EU_COUNTRIES.has(buyer) &&
    EU_COUNTRIES.has(seller) &&
    options.buyerVatIdIssue === null
  );
}

/**
 * The country whose VAT applies: the seller's; under the One-Stop-Shop scheme, the buyer's for
 * a distance sale to a consumer in another EU country (Directive 2006/112/EC art. 33, since
 * 2021-07-01).
 */
export function taxCountry(options: {
  sellerCountry: string;
  buyerCountry: string | null | undefined;
  buyerIsConsumer: boolean;
  usesOss: boolean;
}): { country: string; oss: boolean } {
  const seller = options.sellerCountry.toUpperCase();
  const buyer = options.buyerCountry?.toUpperCase();
  if (options.usesOss && options.buyerIsConsumer && buyer && buyer !== seller && EU_COUNTRIES.has(buyer))
    return { country: buyer, oss: true };
  return { country: seller, oss: false };
}
