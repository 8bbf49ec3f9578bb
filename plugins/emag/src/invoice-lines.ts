import { platformCurrency, standardVatRate } from './platforms.ts';
import type { EmagOrder } from './types.ts';

/**
 * The lines an eMAG order is invoiced with, prepared for the manifest's `invoice` mapping (which
 * reads them as `invoiceLines`): eMAG prices are net with 4 decimals and `vat` a fraction (API doc
 * "Product field in order details"), so products and vouchers pass through as they are; only
 * `shipping_tax`, which eMAG states gross, needs arithmetic — done here exactly, in decimal.
 */
export interface InvoiceLineSource {
  name: string;
  quantity: number | string;
  /** Net unit price, 4 decimals. */
  price: string;
  /** VAT as a fraction with 4 places ("0.2100"): eMAG's, else the default rate. */
  vat: string;
  sku: string | null;
  productId: string | null;
  currency: string;
  /** Whether the line is a product (the mapping then makes a product record). */
  product: boolean;
}

interface Product {
  status?: number | string;
  name?: string;
  quantity?: number | string;
  sale_price?: string | number | null;
  vat?: string | number | null;
  currency?: string | null;
  part_number?: string | null;
  product_id?: number | string | null;
}

interface Voucher {
  status?: number | string;
  voucher_name?: string;
  sale_price?: string | number | null;
  vat?: string | number | null;
}

/** What the lines need besides the order: the platform and the seller's default rate. */
export interface LineDefaults {
  /** The integration's settings (`platform`, optional `defaultVatRate` in percent). */
  settings: unknown;
}

const SCALE = 10_000n;
const AMOUNT = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * An amount with up to 4 decimals as ten-thousandths. eMAG's doc shows decimal strings, but real
 * answers carry numbers and nulls too (reference README "eMAG": `"shipping_tax": 14.99`,
 * `"cashed_co": null`): a number is read at 4 places, null or empty is 0, anything else refused.
 */
export function toUnits(value: string | number | null | undefined): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`eMAG sent ${value} where an amount belongs`);
    return toUnits(value.toFixed(4));
  }
  const s = String(value).trim();
  if (s === '') return 0n;
  if (!AMOUNT.test(s)) throw new Error(`eMAG sent ${JSON.stringify(value)} where an amount belongs`);
  const negative = s.startsWith('-');
  const [int = '0', frac = ''] = s.replace(/^[-+]/, '').split('.');
  const units = BigInt(int || '0') * SCALE + BigInt((frac + '0000').slice(0, 4));
  return negative ? -units : units;
}

export function fromUnits(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  return `${negative ? '-' : ''}${abs / SCALE}.${String(abs % SCALE).padStart(4, '0')}`;
}

/** gross / (1 + vat), rounded half up to 4 decimals (gross ≥ 0). */
export function netOfGross(gross: bigint, vat: bigint): bigint {
  const divisor = SCALE + vat;
  return (2n * gross * SCALE + divisor) / (2n * divisor);
}

/**
 * A line's VAT as a fraction in ten-thousandths (eMAG writes `"0.2100"`, `0.21`, sometimes
 * `"0.21"`); none stated: the seller's default rate, else the platform's standard rate at the
 * order date (RO 21 % from 2025-08-01, 19 % before; HU 27 %; BG 20 %).
 */
function vatUnits(value: string | number | null | undefined, fallback: bigint): bigint {
  if (value === null || value === undefined || String(value).trim() === '') return fallback;
  const units = toUnits(value);
  // A rate written in percent (21) rather than as a fraction (0.21).
  return units >= SCALE ? units / 100n : units;
}

function defaultVat(order: EmagOrder, defaults: LineDefaults): bigint {
  const own = (defaults.settings as { defaultVatRate?: unknown }).defaultVatRate;
  const percent =
    typeof own === 'number' && Number.isFinite(own)
      ? own
      : standardVatRate(defaults.settings, typeof order.date === 'string' ? order.date : undefined);
  return toUnits(percent.toFixed(4)) / 100n;
}

/**
 * The order's currency. eMAG states none at order level (reference README "Correction"): the
 * products carry it when they do (`products[].currency`, optional, API doc 5.1.1), else it is the
 * platform's at the order date (Bulgaria: EUR from 2026-01-01, BGN before).
 */
export function orderCurrency(order: EmagOrder, settings: unknown): string {
  for (const p of (order.products ?? []) as Product[]) {
    if (typeof p.currency === 'string' && p.currency.trim() !== '') return p.currency.trim().toUpperCase();
  }
  return platformCurrency(settings, typeof order.date === 'string' ? order.date : undefined);
}

export function invoiceLines(order: EmagOrder, defaults: LineDefaults): InvoiceLineSource[] {
  const currency = orderCurrency(order, defaults.settings);
  const fallbackVat = defaultVat(order, defaults);
  const active = ((order.products ?? []) as Product[]).filter((p) => Number(p.status) === 1);
  const lines: InvoiceLineSource[] = active.map((p) => ({
    name: String(p.name ?? ''),
    quantity: Number(p.quantity ?? 1),
    price: fromUnits(toUnits(p.sale_price)),
    vat: fromUnits(vatUnits(p.vat, fallbackVat)),
    sku: p.part_number ?? null,
    productId: p.product_id === undefined || p.product_id === null ? null : String(p.product_id),
    currency,
    product: true,
  }));
  // Shipping is charged gross; it is invoiced as a net line at the order's highest product rate.
  const shipping = toUnits(order.shipping_tax as string | number | null | undefined);
  if (shipping > 0n && lines.length > 0) {
    const vat = lines.map((l) => toUnits(l.vat)).reduce((a, b) => (b > a ? b : a));
    lines.push({
      name: 'Transport',
      quantity: 1,
      price: fromUnits(netOfGross(shipping, vat)),
      vat: fromUnits(vat),
      sku: null,
      productId: null,
      currency,
      product: false,
    });
  }
  for (const v of (order.vouchers ?? []) as Voucher[]) {
    if (Number(v.status) !== 1) continue;
    lines.push({
      name: String(v.voucher_name ?? 'Voucher'),
      quantity: 1,
      price: fromUnits(toUnits(v.sale_price)),
      vat: fromUnits(vatUnits(v.vat, fallbackVat)),
      sku: null,
      productId: null,
      currency,
      product: false,
    });
  }
  return lines;
}
