import { Decimal as DecimalJs } from 'decimal.js';
import { computeLineFast, formatFixed, sumCents } from './money-fast.ts';

/**
 * Exact money arithmetic (SPEC "Invoicing core"): every amount is a decimal.js value or a decimal
 * string, never a float. Half-up rounding, as Polish and Romanian invoices round VAT per line.
 */
// 28 significant digits hold any invoice amount (≤ 14 integer digits, 4 decimals) and a quotient
// by (1 + rate) far beyond the 2 decimals it is rounded to.
export const Decimal = DecimalJs.clone({ precision: 28, rounding: DecimalJs.ROUND_HALF_UP });
export type Decimal = DecimalJs;
export type DecimalInput = string | number | DecimalJs;

/**
 * Whether a unit price includes VAT. Allegro line prices are gross decimal strings; eMAG sale
 * prices are net with 4 decimals (shared/reference/README.md).
 */
export type PriceMode = 'gross' | 'net';

export class MoneyError extends Error {
  override name = 'MoneyError';
}

const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** Parses a decimal string or a finite number; anything else is refused with `what` in the message. */
export function toDecimal(value: unknown, what: string): Decimal {
  if (value instanceof DecimalJs) return new Decimal(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MoneyError(`${what} must be a finite number, got ${value}`);
    // A number parsed from a marketplace decimal string prints back as that string (≤ 15 digits).
    return new Decimal(value);
  }
  if (typeof value === 'string' && DECIMAL_TEXT.test(value.trim())) return new Decimal(value.trim());
  throw new MoneyError(`${what} must be a decimal number, got ${JSON.stringify(value) ?? String(value)}`);
}

/**
 * A VAT rate as a percentage with 2 decimals. Marketplaces write it as a percent (`23`,
 * `"23.00"`) or as a fraction (eMAG `vat: "0.1900"`): a value below 1 is a fraction.
 */
export function normaliseVatRate(value: unknown): string {
  // Few distinct rates exist; caching their text keeps per-line work small (thousands of lines/s).
  const key = typeof value === 'number' ? value : typeof value === 'string' ? `s${value}` : undefined;
  const cached = key === undefined ? undefined : rateCache.get(key);
  if (cached !== undefined) return cached;
  const percent = parseVatRate(value);
  if (key !== undefined && rateCache.size < 1000) rateCache.set(key, percent);
  return percent;
}

const rateCache = new Map<string | number, string>();
const factorCache = new Map<string, Decimal>();

/** 1 + rate / 100 for a normalised rate. */
function vatFactor(rate: string): Decimal {
  let factor = factorCache.get(rate);
  if (!factor) {
    factor = new Decimal(rate).dividedBy(100).plus(1);
    if (factorCache.size < 1000) factorCache.set(rate, factor);
  }
  return factor;
}

function parseVatRate(value: unknown): string {
  const text = typeof value === 'string' ? value.trim().replace(/%$/, '') : value;
  const rate = toDecimal(text, 'VAT rate');
  if (rate.isNegative() || rate.greaterThan(100)) {
    throw new MoneyError(`VAT rate must be between 0 and 100 %, got ${String(value)}`);
  }
  const percent = rate.lessThan(1) ? rate.times(100) : rate;
  return percent.toFixed(2);
}

export interface LineInput {
  quantity: unknown;
  /** Unit price in the given mode: gross (VAT included) or net. */
  unitPrice: unknown;
  /** Percent or fraction; see {@link normaliseVatRate}. */
  vatRate: unknown;
  mode: PriceMode;
  /** Amount taken off the line total, in the same mode as the unit price. */
  discount?: unknown;
}

/** One invoice line's amounts as the `invoice_lines` columns store them (decimal strings). */
export interface LineAmounts {
  quantity: string;
  unitNet: string;
  unitGross: string;
  vatRate: string;
  net: string;
  vat: string;
  gross: string;
}

/**
 * Gross mode: the buyer paid unit × qty, so the line gross is exactly that; net = gross / (1 + r)
 * rounded half-up, and VAT is the difference (totals then match what the marketplace charged).
 * Net mode: net = round(unit × qty), VAT = round(net × r), gross = net + VAT.
 */
export function computeLine(input: LineInput): LineAmounts {
  // The common case in exact integer arithmetic (money-fast.ts), the rest by decimal.js below.
  let normalised: string | undefined;
  try {
    normalised = normaliseVatRate(input.vatRate);
  } catch {
    normalised = undefined;
  }
  const fast = normalised === undefined ? undefined : computeLineFast({ ...input, vatRate: normalised });
  if (fast) return { ...fast, vatRate: normalised! };
  return computeLineExact(input);
}

/** `computeLine` by decimal.js, for every input (the reference `money-fast.test.ts` checks against). */
export function computeLineExact(input: LineInput): LineAmounts {
  const quantity = toDecimal(input.quantity, 'quantity');
  if (!quantity.isPositive() || quantity.isZero()) {
    throw new MoneyError(`quantity must be positive, got ${quantity.toString()}`);
  }
  if (quantity.decimalPlaces() > 3)
    throw new MoneyError(`quantity allows 3 decimals, got ${quantity.toString()}`);
  const unit = toDecimal(input.unitPrice, 'unit price');
  const vatRate = normaliseVatRate(input.vatRate);
  const factor = vatFactor(vatRate);
  const discount =
    input.discount === undefined || input.discount === null
      ? new Decimal(0)
      : toDecimal(input.discount, 'discount');
  let net: Decimal;
  let vat: Decimal;
  let gross: Decimal;
  let unitNet: Decimal;
  let unitGross: Decimal;
  if (input.mode === 'gross') {
    gross = unit.times(quantity).minus(discount).toDecimalPlaces(2);
    net = gross.dividedBy(factor).toDecimalPlaces(2);
    vat = gross.minus(net);
    unitGross = unit;
    unitNet = unit.dividedBy(factor);
  } else {
    net = unit.times(quantity).minus(discount).toDecimalPlaces(2);
    vat = net.times(factor.minus(1)).toDecimalPlaces(2);
    gross = net.plus(vat);
    unitNet = unit;
    unitGross = unit.times(factor);
  }
  return {
    quantity: quantity.toFixed(3),
    unitNet: unitNet.toFixed(4),
    unitGross: unitGross.toFixed(4),
    vatRate,
    net: net.toFixed(2),
    vat: vat.toFixed(2),
    gross: gross.toFixed(2),
  };
}

export interface Totals {
  net: string;
  vat: string;
  gross: string;
}

export interface RateTotals extends Totals {
  vatRate: string;
}

/** Invoice totals: the sums of the lines (never recomputed from the totals, so they always add up). */
export function sumLines(lines: readonly Pick<LineAmounts, 'net' | 'vat' | 'gross'>[]): Totals {
  const net = sumCents(lines.map((l) => l.net));
  const vat = sumCents(lines.map((l) => l.vat));
  const gross = sumCents(lines.map((l) => l.gross));
  if (net !== undefined && vat !== undefined && gross !== undefined)
    return { net: formatFixed(net, 2), vat: formatFixed(vat, 2), gross: formatFixed(gross, 2) };
  return sumLinesExact(lines);
}

/** `sumLines` by decimal.js, for every input. */
export function sumLinesExact(lines: readonly Pick<LineAmounts, 'net' | 'vat' | 'gross'>[]): Totals {
  let net = new Decimal(0);
  let vat = new Decimal(0);
  let gross = new Decimal(0);
  for (const line of lines) {
    net = net.plus(line.net);
    vat = vat.plus(line.vat);
    gross = gross.plus(line.gross);
  }
  return { net: net.toFixed(2), vat: vat.toFixed(2), gross: gross.toFixed(2) };
}

/** A rate already as `toFixed(2)` writes it. */
const RATE_TEXT = /^(0|[1-9]\d*)\.\d\d$/;

/** Totals per VAT rate, highest rate first (the VAT summary table of an invoice). */
export function totalsByRate(
  lines: readonly Pick<LineAmounts, 'vatRate' | 'net' | 'vat' | 'gross'>[],
): RateTotals[] {
  const groups = new Map<string, LineAmounts[]>();
  for (const line of lines) {
    const rate = RATE_TEXT.test(line.vatRate) ? line.vatRate : new Decimal(line.vatRate).toFixed(2);
    const group = groups.get(rate) ?? [];
    group.push(line as LineAmounts);
    groups.set(rate, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => Number(b) - Number(a))
    .map(([vatRate, group]) => ({ vatRate, ...sumLines(group) }));
}

/**
 * Refuses totals that differ from what the marketplace says the buyer pays (Allegro
 * `summary.totalToPay` must equal the invoice total to the grosz).
 */
export function assertExpectedGross(totals: Totals, expected: unknown, currency: string): void {
  const want = toDecimal(expected, 'expected gross total');
  if (!want.equals(totals.gross)) {
    throw new MoneyError(
      `invoice total ${totals.gross} ${currency} differs from the marketplace total ${want.toFixed(2)} ${currency} ` +
        `(lines: net ${totals.net}, VAT ${totals.vat}); check the line prices, price mode and delivery cost in the mapping`,
    );
  }
}
