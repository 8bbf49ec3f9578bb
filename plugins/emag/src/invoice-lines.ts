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
  /** VAT as eMAG's fraction ("0.1900"). */
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
  sale_price?: string;
  vat?: string;
  part_number?: string;
  product_id?: number | string;
}

interface Voucher {
  status?: number | string;
  voucher_name?: string;
  sale_price?: string;
  vat?: string;
}

const SCALE = 10_000n;

/** A decimal string with up to 4 places as ten-thousandths. */
export function toUnits(text: string | number | undefined): bigint {
  const s = String(text ?? '0').trim();
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

export function invoiceLines(order: EmagOrder): InvoiceLineSource[] {
  const currency = typeof order.currency === 'string' ? order.currency : '';
  const active = ((order.products ?? []) as Product[]).filter((p) => Number(p.status) === 1);
  const lines: InvoiceLineSource[] = active.map((p) => ({
    name: String(p.name ?? ''),
    quantity: p.quantity ?? 1,
    price: String(p.sale_price ?? '0'),
    vat: String(p.vat ?? ''),
    sku: p.part_number ?? null,
    productId: p.product_id === undefined ? null : String(p.product_id),
    currency,
    product: true,
  }));
  // Shipping is charged gross; it is invoiced as a net line at the order's highest product rate.
  const shipping = toUnits(order.shipping_tax as string | undefined);
  if (shipping > 0n && active.length > 0) {
    const vat = active.map((p) => toUnits(p.vat)).reduce((a, b) => (b > a ? b : a));
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
      price: String(v.sale_price ?? '0'),
      vat: String(v.vat ?? ''),
      sku: null,
      productId: null,
      currency,
      product: false,
    });
  }
  return lines;
}
