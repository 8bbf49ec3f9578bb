import { formatUnits, rngFor } from '@mch/plugin-sdk/sandbox-kit';
import { PRODUCTS } from './catalog.ts';

/** Each seller lists this many offers; line items draw from them. */
export const OFFERS_PER_ACCOUNT = 400;

export interface OfferSeed {
  id: string;
  name: string;
  /** Gross price in grosze. */
  priceUnits: number;
  vat: '23.00' | '8.00' | '5.00' | '0.00';
  sku: string;
  stock: number;
  categoryId: string;
}

/** Offer ids are 11-digit numeric strings, like Allegro's; the account index is encoded in them. */
export function offerId(accountIndex: number, k: number): string {
  return String(10_000_000_000 + accountIndex * 1_000_000 + k);
}

export function parseOfferId(id: string): { accountIndex: number; k: number } | null {
  if (!/^\d{11}$/.test(id)) return null;
  const n = Number(id) - 10_000_000_000;
  const accountIndex = Math.floor(n / 1_000_000);
  const k = n % 1_000_000;
  return k < OFFERS_PER_ACCOUNT ? { accountIndex, k } : null;
}

const offers = new Map<string, OfferSeed>();

/** Offer k of an account; memoised (at most OFFERS_PER_ACCOUNT small objects per account and seed). */
export function makeOffer(seed: string | number, accountIndex: number, k: number): OfferSeed {
  const key = `${String(seed)}\u0000${accountIndex}\u0000${k}`;
  let offer = offers.get(key);
  if (!offer) {
    offer = generateOffer(seed, accountIndex, k);
    offers.set(key, offer);
  }
  return offer;
}

function generateOffer(seed: string | number, accountIndex: number, k: number): OfferSeed {
  const rng = rngFor(seed, 'offer', accountIndex, k);
  const product = PRODUCTS[k % PRODUCTS.length] ?? PRODUCTS[0];
  if (!product) throw new Error('empty product catalogue');
  const variant = rng.pick(['czarny', 'biały', 'szary', 'niebieski', 'zielony', 'XL', 'M', 'zestaw 2 szt.']);
  return {
    id: offerId(accountIndex, k),
    name: `${product.name} ${variant}`,
    priceUnits: rng.int(product.min * 100, product.max * 100 - 1) - (rng.chance(0.6) ? 1 : 0),
    vat: product.vat,
    sku: `SKU-${accountIndex}-${String(k).padStart(5, '0')}`,
    stock: rng.int(0, 250),
    categoryId: String(rng.int(250_000, 259_999)),
  };
}

/** `GET /sale/product-offers/{offerId}` body (SaleProductOfferResponseV1, the fields sellers use). */
export function offerResponse(offer: OfferSeed, createdAt: string): Record<string, unknown> {
  return {
    id: offer.id,
    name: offer.name,
    category: { id: offer.categoryId },
    sellingMode: { format: 'BUY_NOW', price: { amount: formatUnits(offer.priceUnits), currency: 'PLN' } },
    external: { id: offer.sku },
    taxSettings: { rates: [{ rate: offer.vat, countryCode: 'PL' }] },
    stock: { available: offer.stock, unit: 'UNIT' },
    publication: { status: offer.stock > 0 ? 'ACTIVE' : 'ENDED', marketplaces: { base: { id: 'allegro-pl' } } },
    payments: { invoice: 'VAT' },
    language: 'pl-PL',
    createdAt,
    updatedAt: createdAt,
  };
}
