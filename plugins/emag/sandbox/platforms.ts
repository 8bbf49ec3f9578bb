/**
 * The country platforms one sandbox serves, mirroring eMAG's separate hosts per country
 * (API doc 1.1 "Conventions": MARKETPLACE_API_URL per platform; ../shared/reference/README.md
 * "eMAG": Platforms). Each is reachable under its own path prefix (`/{platform}/api-3/...`),
 * under its real host name (a request whose Host header is that name), or at the server root,
 * where the credentials say which platform the account sells on.
 */
export type PlatformId = 'ro' | 'bg' | 'hu' | 'fdro' | 'fdbg';
export type CountryCode = 'RO' | 'BG' | 'HU';
export type Currency = 'RON' | 'BGN' | 'EUR' | 'HUF';
/** What a product is, for its VAT rate: most goods, basic food, books. */
export type VatClass = 'standard' | 'food' | 'books';

export interface Platform {
  id: PlatformId;
  /** Human name, as the seller portal calls it. */
  name: string;
  country: CountryCode;
  /**
   * The platform's real API host names (API doc 1.1; 4.4.7/4.4.8 "MKTP FD RO/BG route"); the
   * first is MARKETPLACE_API_URL's, `marketplace.emag.ro` is the older Romanian one (reference
   * README "Older clients").
   */
  hosts: readonly string[];
  /** Fashion Days platforms sell clothes and shoes rather than electronics. */
  fashion: boolean;
}

export const PLATFORMS: readonly Platform[] = [
  {
    id: 'ro',
    name: 'eMAG Romania',
    country: 'RO',
    hosts: ['marketplace-api.emag.ro', 'marketplace.emag.ro'],
    fashion: false,
  },
  { id: 'bg', name: 'eMAG Bulgaria', country: 'BG', hosts: ['marketplace-api.emag.bg'], fashion: false },
  { id: 'hu', name: 'eMAG Hungary', country: 'HU', hosts: ['marketplace-api.emag.hu'], fashion: false },
  {
    id: 'fdro',
    name: 'Fashion Days Romania',
    country: 'RO',
    hosts: ['marketplace-ro-api.fashiondays.com'],
    fashion: true,
  },
  {
    id: 'fdbg',
    name: 'Fashion Days Bulgaria',
    country: 'BG',
    hosts: ['marketplace-bg-api.fashiondays.com'],
    fashion: true,
  },
];

export const PLATFORM_IDS: readonly PlatformId[] = PLATFORMS.map((p) => p.id);

export function findPlatform(id: string): Platform | undefined {
  return PLATFORMS.find((p) => p.id === id);
}

/** The platform whose real host name a request's Host header carries (port ignored). */
export function platformOfHost(hostHeader: string | undefined): Platform | undefined {
  const name = (hostHeader ?? '').toLowerCase().replace(/:\d+$/, '');
  return PLATFORMS.find((p) => p.hosts.includes(name));
}

/**
 * Bulgaria adopted the euro on 2026-01-01 (reference README "Platforms": EUR from then, BGN
 * before): midnight in Sofia (UTC+2 in winter).
 */
export const BG_EURO_FROM = Date.UTC(2025, 11, 31, 22, 0, 0);
/**
 * Romania's VAT rose to 21 % (standard) and 11 % (reduced, replacing 9 % and 5 %) on
 * 2025-08-01 (reference README "Correction": 21 / 11 since 2025-08-01, 19 / 9 / 5 before):
 * midnight in Bucharest (UTC+3 in summer).
 */
export const RO_VAT_FROM = Date.UTC(2025, 6, 31, 21, 0, 0);

/**
 * The platform's currency at an instant (API doc 1.1 "Default currency"; Bulgaria by date).
 * eMAG states no order-level currency: products carry it, else it is this (reference README
 * "Correction").
 */
export function currencyAt(platform: Platform, ms: number): Currency {
  switch (platform.country) {
    case 'RO':
      return 'RON';
    case 'HU':
      return 'HUF';
    case 'BG':
      return ms >= BG_EURO_FROM ? 'EUR' : 'BGN';
  }
}

/** Multiplier from a RON price to a plausible price in another currency. */
export const PRICE_FACTOR: Record<Currency, number> = { RON: 1, BGN: 0.39, EUR: 0.2, HUF: 78 };

/**
 * VAT rate (ten-thousandths, 2100 = 21 %) of a class of goods on a platform at an instant
 * (reference README "Correction": RO 21 / 11 since 2025-08-01, 19 / 9 / 5 before; HU 27 / 18 / 5;
 * BG 20 / 9).
 */
export function vatRateAt(platform: Platform, vatClass: VatClass, ms: number): number {
  switch (platform.country) {
    case 'RO':
      if (ms >= RO_VAT_FROM) return vatClass === 'standard' ? 2100 : 1100;
      return vatClass === 'standard' ? 1900 : vatClass === 'food' ? 900 : 500;
    case 'HU':
      return vatClass === 'standard' ? 2700 : vatClass === 'food' ? 1800 : 500;
    case 'BG':
      return vatClass === 'books' ? 900 : 2000;
  }
}

/** The distinct rates in force at an instant, standard first (`vat/read`, offers' `vat_id`). */
export function vatRatesAt(platform: Platform, ms: number): number[] {
  const classes: VatClass[] = ['standard', 'food', 'books'];
  return [...new Set(classes.map((c) => vatRateAt(platform, c, ms)))];
}
