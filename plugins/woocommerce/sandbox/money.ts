/**
 * Money and tax arithmetic the way WooCommerce does it (sources cited per function). WooCommerce's
 * cart works in cents ("number precision", `wc_add_number_precision`) and keeps UNROUNDED taxes on
 * order items; only the displayed totals are rounded (REST `dp`).
 */

/** A VAT rate of the sandbox store (WooCommerce > Settings > Tax, one rate per tax class). */
export interface TaxRate {
  id: number;
  /** Tax class slug ('' is the Standard class). */
  taxClass: string;
  percent: number;
  label: string;
}

/**
 * The store's rates: Polish VAT in four tax classes. rate_code follows WC_Tax::get_rate_code()
 * (`COUNTRY-STATE-NAME-PRIORITY`, empty parts dropped, upper-cased), see includes/class-wc-tax.php.
 */
export const TAX_RATES: readonly TaxRate[] = [
  { id: 1, taxClass: '', percent: 23, label: 'VAT 23%' },
  { id: 2, taxClass: 'reduced-rate', percent: 8, label: 'VAT 8%' },
  { id: 3, taxClass: 'reduced-rate-5', percent: 5, label: 'VAT 5%' },
  { id: 4, taxClass: 'zero-rate', percent: 0, label: 'VAT 0%' },
];

export type VatRate = '23' | '8' | '5' | '0';

export function rateFor(vat: string): TaxRate {
  const rate = TAX_RATES.find((r) => String(r.percent) === String(vat));
  if (!rate) throw new Error(`The sandbox store has no ${vat} % VAT rate (23, 8, 5, 0).`);
  return rate;
}

export function rateCode(rate: TaxRate): string {
  return `PL-${rate.label}-1`.toUpperCase();
}

/** "30.00" / "30" / "30,5" → 3000 cents (wc_add_number_precision). */
export function toCents(amount: string | number): number {
  const n = typeof amount === 'number' ? amount : Number(String(amount).replace(',', '.'));
  if (!Number.isFinite(n)) throw new Error(`Not an amount: ${amount}`);
  return Math.round(n * 100);
}

/**
 * PHP's round() (half away from zero) with a pre-rounding step like PHP's own, so 1.005 → 1.01 as
 * PHP prints it (NumberUtil::round / wc_round_tax_total in WooCommerce).
 */
export function phpRound(value: number, places = 0): number {
  const f = 10 ** places;
  const x = Number((Math.abs(value) * f).toPrecision(15));
  return (Math.sign(value) * Math.round(x)) / f;
}

/**
 * WC_Tax::calc_inclusive_tax for one non-compound rate: `the_rate = (rate/100) / (1 + rate/100)`,
 * `tax = price - (price - the_rate * price)` (includes/class-wc-tax.php). Unrounded, in the unit given.
 */
export function inclusiveTax(price: number, percent: number): number {
  const theRate = percent / 100 / (1 + percent / 100);
  const net = price - theRate * price;
  return price - net;
}

/** WC_Tax::calc_exclusive_tax for one non-compound rate: `price * rate / 100` (unrounded). */
export function exclusiveTax(price: number, percent: number): number {
  return (price * percent) / 100;
}

/**
 * wc_format_decimal($float) without `dp` (includes/wc-formatting-functions.php): a float becomes
 * sprintf('%.6f') — wc_get_rounding_precision() = max(price decimals + 2, WC_ROUNDING_PRECISION 6)
 * — with trailing zeros trimmed. That is how WooCommerce stores the unrounded amounts of an order
 * item (set_total, set_subtotal, set_taxes): e.g. a line total of "73.170732" or a tax of
 * "16.829268" in a tax-inclusive shop, and what `taxes[].total` shows through the REST API.
 */
export function phpFloatString(value: number): string {
  let s = value.toFixed(6);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

/**
 * wc_format_decimal($value, $dp) as the REST controllers apply it with `dp` (default
 * wc_get_price_decimals() = 2): rounds half away from zero and pads to `dp` places.
 * WC_REST_Orders_V2_Controller::get_formatted_item_data / get_order_item_data.
 */
export function formatDp(value: number, dp: number): string {
  const rounded = phpRound(value, dp);
  const s = rounded.toFixed(dp);
  return s === `-${(0).toFixed(dp)}` ? (0).toFixed(dp) : s;
}
