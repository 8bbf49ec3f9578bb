import type { Account } from './accounts.ts';
import { fmt4, vatFraction } from './money.ts';
import {
  currencyAt,
  PRICE_FACTOR,
  vatRateAt,
  vatRatesAt,
  type Currency,
  type VatClass,
} from './platforms.ts';
import { rngFor } from '@mch/plugin-sdk/sandbox-kit';
import { mix } from './hash.ts';

/**
 * The seller's offers on a platform (what `product_offer/read` returns); order lines
 * are drawn from the same catalogue so product ids, part numbers and VAT agree.
 */
export interface CatalogItem {
  id: number;
  name: string;
  brand: string;
  partNumber: string;
  partNumberKey: string;
  ean: string;
  /** Net price in ten-thousandths of a RON, unrounded: other currencies scale it (`netPriceIn`). */
  baseNet: number;
  /** Its VAT class: the rate follows the platform and the date (`vatRateAt`). */
  vatClass: VatClass;
  stock: number;
  status: 0 | 1;
}

const ELECTRONICS: readonly (readonly [string, string, number, VatClass])[] = [
  // name, brand, base net price in RON, VAT class
  ['Telefon mobil Galaxy A55 128GB', 'Samsung', 1450, 'standard'],
  ['Laptop IdeaPad Slim 3 15"', 'Lenovo', 2300, 'standard'],
  ['Casti wireless WH-1000XM5', 'Sony', 1250, 'standard'],
  ['Aspirator robot Roomba Combo', 'iRobot', 1600, 'standard'],
  ['Espressor automat Magnifica S', "De'Longhi", 1350, 'standard'],
  ['Televizor OLED 55" C4', 'LG', 4900, 'standard'],
  ['Carte "Arta programarii"', 'Polirom', 45, 'books'],
  ['Cafea boabe Crema 1kg', 'Lavazza', 62, 'food'],
  ['Scaun gaming Ergo Pro', 'Arozzi', 780, 'standard'],
  ['Mouse wireless MX Master 3S', 'Logitech', 390, 'standard'],
  ['Ceas smartwatch Watch 9', 'Huawei', 820, 'standard'],
  ['Scutece Premium Care nr. 4', 'Pampers', 85, 'standard'],
];
const FASHION: readonly (readonly [string, string, number, VatClass])[] = [
  ['Pantofi sport Air Max 90', 'Nike', 520, 'standard'],
  ['Geaca de puf cu gluga', 'Tommy Hilfiger', 890, 'standard'],
  ['Rochie midi din vascoza', 'Mango', 230, 'standard'],
  ['Blugi slim fit 511', "Levi's", 380, 'standard'],
  ['Tricou din bumbac organic', 'Pepe Jeans', 110, 'standard'],
  ['Ghete din piele intoarsa', 'Timberland', 760, 'standard'],
  ['Rucsac urban 20L', 'Herschel', 330, 'standard'],
];

export const CATALOG_SIZE = 60;

/** Offer `n` (0-based) of an account's catalogue. */
export function catalogItem(seed: string, account: Account, n: number): CatalogItem {
  const rng = rngFor(seed, 'catalog', account.key, n);
  const lines = account.platform.fashion ? FASHION : ELECTRONICS;
  const line = lines[n % lines.length] ?? lines[0]!;
  const [baseName, brand, baseRon, vatClass] = line;
  const variant = Math.floor(n / lines.length);
  const baseNet = baseRon * (0.85 + rng.next() * 0.3) * 10000;
  const pn = `${brand
    .replace(/[^A-Za-z]/g, '')
    .slice(0, 4)
    .toUpperCase()}${100000 + n * 37}`;
  return {
    id: 1000 + n,
    name: variant === 0 ? baseName : `${baseName} v${variant + 1}`,
    brand,
    partNumber: pn,
    partNumberKey: `D${(mix(account.ordinal, n) % 0xfffffff).toString(36).toUpperCase().padStart(8, '0')}`,
    ean: String(5940000000000 + n * 1009),
    baseNet,
    vatClass,
    stock: rng.int(0, 250),
    status: rng.chance(0.9) ? 1 : 0,
  };
}

/** Net unit price in ten-thousandths of `currency`. */
export function netPriceIn(item: CatalogItem, currency: Currency): number {
  return Math.round(item.baseNet * PRICE_FACTOR[currency]);
}

/**
 * The offer fields a seller can change (API doc 2.6.2 "offer/save": sale_price, recommended_price,
 * min/max_sale_price, stock per warehouse, handling_time, vat_id, status), prices in
 * ten-thousandths of the offer's currency.
 */
export interface OfferState {
  salePrice: number;
  recommendedPrice: number;
  minPrice: number;
  maxPrice: number;
  vatId: number;
  status: number;
  /** Stock per warehouse id (API doc "stock": `[{warehouse_id, value}]`). */
  stock: Map<number, number>;
  handlingTime: Map<number, number>;
}

/** The offer as seeded, before any save: min 70 %, max 150 % of the sale price. */
export function baseOfferState(item: CatalogItem, account: Account, now: number): OfferState {
  const netPrice = netPriceIn(item, currencyAt(account.platform, now));
  const vatRate = vatRateAt(account.platform, item.vatClass, now);
  return {
    salePrice: netPrice,
    recommendedPrice: Math.round(netPrice * 1.1),
    minPrice: Math.round(netPrice * 0.7),
    maxPrice: Math.round(netPrice * 1.5),
    vatId: vatRatesAt(account.platform, now).indexOf(vatRate) + 1,
    status: item.status,
    stock: new Map([[1, item.stock]]),
    handlingTime: new Map([[1, 1]]),
  };
}

/** `product_offer/read` shape (API doc 2.8 "Reading and counting products and offers", abridged), at `now`. */
export function offerJson(
  item: CatalogItem,
  account: Account,
  now: number,
  state: OfferState = baseOfferState(item, account, now),
): Record<string, unknown> {
  const currency = currencyAt(account.platform, now);
  const rates = vatRatesAt(account.platform, now);
  const general = [...state.stock.values()].reduce((a, b) => a + b, 0);
  return {
    id: item.id,
    name: item.name,
    brand: item.brand,
    part_number: item.partNumber,
    part_number_key: item.partNumberKey,
    ean: [item.ean],
    sale_price: fmt4(state.salePrice),
    min_sale_price: fmt4(state.minPrice),
    max_sale_price: fmt4(state.maxPrice),
    recommended_price: fmt4(state.recommendedPrice),
    currency,
    vat_id: state.vatId,
    vat_rate: vatFraction(rates[state.vatId - 1] ?? 0),
    status: state.status,
    stock: [...state.stock].map(([warehouse_id, value]) => ({ warehouse_id, value })),
    general_stock: general,
    estimated_stock: general,
    handling_time: [...state.handlingTime].map(([warehouse_id, value]) => ({ warehouse_id, value })),
    validation_status: [{ value: 9, description: 'Approved documentation' }],
    offer_validation_status: { value: 1, description: 'Valid' },
  };
}

const catalogs = new Map<string, CatalogItem[]>();

/**
 * The whole catalogue of an account (60 offers unless the sandbox was started with more, for
 * volume tests), computed once per seed, account and size. Orders draw from the first 60.
 */
export function catalogOf(seed: string, account: Account, size = CATALOG_SIZE): CatalogItem[] {
  const key = `${seed}\u0000${account.key}\u0000${size}`;
  let items = catalogs.get(key);
  if (!items) {
    items = Array.from({ length: size }, (_, n) => catalogItem(seed, account, n));
    catalogs.set(key, items);
  }
  return items;
}
