/**
 * The country platforms one sandbox serves, each under its own path prefix
 * (`/{platform}/api-3/...`), mirroring eMAG's separate hosts per country
 * (reference README "Platforms"; API doc 1.2 "MARKETPLACE_API_URL").
 */
export type PlatformId = 'ro' | 'bg' | 'hu' | 'fdro' | 'fdbg';
export type CountryCode = 'RO' | 'BG' | 'HU';

export interface Platform {
  id: PlatformId;
  /** Human name, as the seller portal calls it. */
  name: string;
  country: CountryCode;
  currency: 'RON' | 'BGN' | 'HUF';
  /** VAT rates in force on that platform, as fractions in ten-thousandths (1900 = 19 %). */
  vatRates: readonly number[];
  /** Multiplier from a RON-like base price to a plausible local price. */
  priceFactor: number;
  /** Fashion Days platforms sell clothes and shoes rather than electronics. */
  fashion: boolean;
}

export const PLATFORMS: readonly Platform[] = [
  {
    id: 'ro',
    name: 'eMAG Romania',
    country: 'RO',
    currency: 'RON',
    vatRates: [1900, 2100, 900, 500],
    priceFactor: 1,
    fashion: false,
  },
  {
    id: 'bg',
    name: 'eMAG Bulgaria',
    country: 'BG',
    currency: 'BGN',
    vatRates: [2000, 900],
    priceFactor: 0.39,
    fashion: false,
  },
  {
    id: 'hu',
    name: 'eMAG Hungary',
    country: 'HU',
    currency: 'HUF',
    vatRates: [2700, 1800, 500],
    priceFactor: 78,
    fashion: false,
  },
  {
    id: 'fdro',
    name: 'Fashion Days Romania',
    country: 'RO',
    currency: 'RON',
    vatRates: [1900, 2100],
    priceFactor: 1,
    fashion: true,
  },
  {
    id: 'fdbg',
    name: 'Fashion Days Bulgaria',
    country: 'BG',
    currency: 'BGN',
    vatRates: [2000],
    priceFactor: 0.39,
    fashion: true,
  },
];

export const PLATFORM_IDS: readonly PlatformId[] = PLATFORMS.map((p) => p.id);

export function findPlatform(id: string): Platform | undefined {
  return PLATFORMS.find((p) => p.id === id);
}
