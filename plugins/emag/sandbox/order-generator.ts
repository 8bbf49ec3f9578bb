import type { Account } from './accounts.ts';
import { CATALOG_SIZE, catalogOf, netPriceIn } from './catalog.ts';
import { currencyAt, PRICE_FACTOR, vatRateAt, type Currency } from './platforms.ts';
import { formatDate } from './dates.ts';
import { fmt4, vatFraction } from './money.ts';
import type { OrderHeader } from './order-header.ts';
import { rngFor, type Rng } from '@mch/plugin-sdk/sandbox-kit';
import { mix } from './hash.ts';
import { buyer } from './buyer.ts';

/** Mutations a seller (or the control endpoint) made to an order; everything else is seeded. */
export interface OrderOverlay {
  status?: number;
  /** When the current status was set (48 h / return-time rules of the status matrix). */
  statusChangedAt?: number;
  modified?: number;
  reasonCancellation?: number;
  attachments?: AttachmentRecord[];
  /** Product line edits by line id (order/save while in progress or prepared). */
  lines?: Record<number, { quantity: number; status: 0 | 1 }>;
  /** Lines the seller added with order/save ("Adding products to an existing order"). */
  addedLines?: AddedLine[];
  /** Creation time of orders added while running. */
  createdAt?: number;
}

export interface AddedLine {
  id: number;
  productId: number;
  name: string;
  quantity: number;
  /** Net unit price in ten-thousandths. */
  netPrice: number;
  /** Currency of that price (the order's). */
  currency: Currency;
  vatRate: number;
  partNumber: string;
}

/** Ids of added lines start here, above any seeded line id of the order. */
export const ADDED_LINE_ID_BASE = 9_900_000;

export interface AttachmentRecord {
  name: string;
  url: string;
  type: number;
  order_product_id?: number;
  force_download: 0 | 1;
  created: string;
}

export interface OrderContext {
  seed: string;
  accountSeed: number;
  account: Account;
  index: number;
  id: number;
  header: OrderHeader;
  createdAt: number;
  modifiedAt: number;
  overlay: OrderOverlay | undefined;
}

const DETAILED_PAYMENT: Record<1 | 2 | 3, string> = { 1: 'Ramburs', 2: 'Ordin de plata', 3: 'Card online' };

/**
 * How an order's numbers are written. eMAG's doc shows decimal strings, but real answers also
 * carry numbers and nulls (reference README "eMAG": `"shipping_tax": 14.99`, `"cashed_co": null`;
 * API doc 5.5.3 example: `'product_id' => '1'`): about a third of the orders are written so.
 */
export interface NumberStyle {
  /** Amounts as JSON numbers (`14.99`) rather than 4-decimal strings. */
  numeric: boolean;
  /** Lines state their currency (`products[].currency` is optional, API doc 5.1.1). */
  lineCurrency: boolean;
}

export function numberStyle(orderId: number): NumberStyle {
  const h = mix(orderId, 0x51ed270b) >>> 0;
  return { numeric: h % 3 === 0, lineCurrency: (h >>> 8) % 4 !== 0 };
}

/** An amount in ten-thousandths as the order's style writes it. */
const amount = (style: NumberStyle, units: number): string | number =>
  style.numeric ? Number(fmt4(units)) : fmt4(units);

/**
 * The full order object of `order/read` (API doc 5.1 "Order fields", 5.1.1 "Product field in
 * order details"). There is no order-level currency (reference README "Correction"): lines
 * carry it when they do, else it is the platform's at the order date (Bulgaria: EUR from
 * 2026-01-01, BGN before); VAT rates are those in force at the order date (Romania: 21 / 11 %
 * from 2025-08-01, 19 / 9 / 5 % before).
 */
export function buildOrder(ctx: OrderContext): Record<string, unknown> {
  const { account, header, overlay } = ctx;
  const rng = rngFor(ctx.seed, 'order', account.key, ctx.index);
  const style = numberStyle(ctx.id);
  const currency = currencyAt(account.platform, ctx.createdAt);
  const factor = PRICE_FACTOR[currency];
  const created = formatDate(ctx.createdAt);
  const modified = formatDate(ctx.modifiedAt);
  const products = productLines(ctx, rng, { created, modified, currency, style });
  const activeLines = products.filter((p) => p.status === 1);
  let gross = activeLines.reduce((sum, p) => sum + p.grossUnit * p.quantity, 0);

  // Shipping is charged below a free-shipping threshold (~ 200 RON equivalent).
  const freeOver = 200 * factor * 10000;
  const shippingGross = gross >= freeOver ? 0 : Math.round(19.99 * factor * 100) * 100;
  gross += shippingGross;

  const vouchers: Record<string, unknown>[] = [];
  if (rng.chance(0.15) && activeLines.length > 0) {
    const vat = activeLines[0]!.vatRate;
    const voucherGross = Math.round(Math.min(gross * 0.3, 20 * factor * 10000));
    const voucherNet = Math.round((voucherGross * 10000) / (10000 + vat));
    vouchers.push({
      voucher_id: rng.int(1, 9999999),
      modified: created,
      created,
      status: 1,
      sale_price_vat: amount(style, -(voucherGross - voucherNet)),
      sale_price: amount(style, -voucherNet),
      voucher_name: rng.pick(['eMAG giftcard', 'Voucher Black Friday', 'Voucher bun venit']),
      vat: vatFraction(vat),
      issue_date: created.slice(0, 10),
    });
    gross -= voucherGross;
  }

  const paid = paymentStatus(header, rng.chance(0.85));
  const pickup = rng.chance(0.25);
  const cashed = (mode: 1 | 3) =>
    header.paymentModeId === mode && paid ? amount(style, gross) : style.numeric ? null : 0;
  const order: Record<string, unknown> = {
    id: ctx.id,
    status: header.status,
    is_complete: header.isComplete,
    type: header.type,
    payment_mode_id: header.paymentModeId,
    detailed_payment_method: DETAILED_PAYMENT[header.paymentModeId],
    delivery_mode: pickup ? 'pickup' : 'courier',
    details: pickup
      ? {
          locker_id: `${(mix(ctx.id, 7) >>> 0).toString(16)}-locker`,
          locker_name: 'easybox eMAG',
          locker_delivery_eligible: 1,
        }
      : { locker_delivery_eligible: rng.chance(0.6) ? 1 : 0 },
    date: created,
    modified,
    payment_status: paid,
    cashed_co: cashed(3),
    cashed_cod: cashed(1),
    shipping_tax: amount(style, shippingGross),
    shipping_tax_voucher_split: [],
    customer: buyer(ctx, rng, created),
    products: products.map((p) => p.json),
    attachments: (overlay?.attachments ?? []).map((a) => ({
      ...a,
      order_id: ctx.id,
      order_type: header.type,
    })),
    vouchers,
    is_storno: false,
    emag_club: rng.chance(0.2) ? 1 : 0,
    enforced_vendor_courier_accounts: null,
    weekend_delivery: 0,
  };
  if (header.status === 0)
    order.reason_cancellation = overlay?.reasonCancellation ?? rng.pick([2, 3, 23, 24, 36]);
  if (header.status === 4 || header.status === 5) order.finalization_date = modified;
  return order;
}

interface Line {
  status: 0 | 1;
  quantity: number;
  vatRate: number;
  grossUnit: number;
  json: Record<string, unknown>;
}

function productLines(
  ctx: OrderContext,
  rng: Rng,
  at: { created: string; modified: string; currency: Currency; style: NumberStyle },
): Line[] {
  const { created, modified, currency, style } = at;
  const count = rng.chance(0.6) ? 1 : rng.int(2, 4);
  const lines: Line[] = [];
  const used = new Set<number>();
  for (let k = 0; k < count; k++) {
    let n = rng.int(0, CATALOG_SIZE - 1);
    while (used.has(n)) n = (n + 1) % CATALOG_SIZE;
    used.add(n);
    const item = catalogOf(ctx.seed, ctx.account)[n]!;
    const lineId = ((ctx.index * 4 + k) % 9_999_998) + 1 + ctx.account.ordinal;
    const edit = ctx.overlay?.lines?.[lineId];
    const quantity = edit?.quantity ?? (rng.chance(0.8) ? 1 : rng.int(2, 3));
    const status = edit?.status ?? 1;
    const netPrice = netPriceIn(item, currency);
    const vatRate = vatRateAt(ctx.account.platform, item.vatClass, ctx.createdAt);
    const grossUnit = Math.round((netPrice * (10000 + vatRate)) / 10000);
    lines.push({
      status,
      quantity,
      vatRate,
      grossUnit,
      json: {
        id: lineId,
        product_id: style.numeric ? String(item.id) : item.id,
        mkt_id: 50_000_000 + item.id,
        name: item.name,
        status,
        part_number: item.partNumber,
        ext_part_number: item.partNumber,
        part_number_key: item.partNumberKey,
        ...(style.lineCurrency ? { currency } : {}),
        vat: vatFraction(vatRate),
        quantity,
        initial_qty: quantity,
        storno_qty: 0,
        reversible_vat_charging: 0,
        sale_price: amount(style, netPrice),
        original_price: amount(style, netPrice),
        created,
        modified,
        details: [],
        recycle_warranties: [],
        attachments: [],
        product_voucher_split: [],
        serial_numbers: '',
      },
    });
  }
  for (const added of ctx.overlay?.addedLines ?? []) {
    const edit = ctx.overlay?.lines?.[added.id];
    const quantity = edit?.quantity ?? added.quantity;
    const status = edit?.status ?? 1;
    lines.push({
      status,
      quantity,
      vatRate: added.vatRate,
      grossUnit: Math.round((added.netPrice * (10000 + added.vatRate)) / 10000),
      json: {
        id: added.id,
        product_id: added.productId,
        name: added.name,
        status,
        part_number: added.partNumber,
        ext_part_number: added.partNumber,
        ...(style.lineCurrency ? { currency: added.currency } : {}),
        vat: vatFraction(added.vatRate),
        quantity,
        initial_qty: quantity,
        storno_qty: 0,
        sale_price: amount(style, added.netPrice),
        original_price: amount(style, added.netPrice),
        created: modified,
        modified,
        details: [],
        recycle_warranties: [],
        attachments: [],
        product_voucher_split: [],
        serial_numbers: '',
      },
    });
  }
  return lines;
}

/**
 * payment_status (API doc "Order fields"): card orders are paid up front; COD stays 0 until
 * eMAG has cashed the amount (most finalized orders); bank transfers once confirmed.
 */
function paymentStatus(header: OrderHeader, cashed: boolean): 0 | 1 {
  switch (header.paymentModeId) {
    case 3:
      return 1;
    case 1:
      return (header.status === 4 || header.status === 5) && cashed ? 1 : 0;
    case 2:
      return header.status >= 2 && header.status !== 5 ? 1 : 0;
  }
}
