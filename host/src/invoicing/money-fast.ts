/**
 * The common cases of `money.ts` in exact integer arithmetic (BigInt), for the import's hot path:
 * decimal.js spent about 25 µs per invoice line (two divisions at 28 digits, then rounding), which
 * with the sums made the import CPU-bound. Each function answers only inputs it handles exactly —
 * plain decimal strings or numbers of up to 15 digits and 6 decimals, rates with 2 decimals — and
 * returns undefined otherwise, so the caller falls back to decimal.js (and to its error messages).
 *
 * Same results as decimal.js, not just close: rounding is half away from zero ("ROUND_HALF_UP" in
 * decimal.js) of the exact value. decimal.js first rounds a quotient to 28 significant digits; that
 * never changes the result here, since a quotient by (1 + r/100) has a denominator of at most
 * 2·10⁴, so it is either exactly on a rounding midpoint or at least 1/(4·10⁸) of a unit away from
 * one, far more than 10⁻²⁸. `money-fast.test.ts` compares both on many random inputs.
 */

/** A decimal as an integer and its number of decimals: 12.5 → { units: 125n, scale: 1 }. */
interface Scaled {
  units: bigint;
  scale: number;
}

const PLAIN = /^(-?)(\d{1,15})(?:\.(\d{1,6}))?$/;

function scaled(value: unknown): Scaled | undefined {
  let text: string;
  if (typeof value === 'string') text = value.trim();
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else return undefined;
  const match = PLAIN.exec(text);
  if (!match) return undefined;
  const fraction = match[3] ?? '';
  const units = BigInt(match[2]! + fraction);
  return { units: match[1] ? -units : units, scale: fraction.length };
}

const TEN = [1n, 10n, 100n, 1000n, 10000n, 100000n, 1000000n, 10000000n, 100000000n, 1000000000n];
const pow10 = (n: number): bigint => TEN[n] ?? 10n ** BigInt(n);

/** `units / 10^scale` at `scale` decimals; the value is rescaled, never rounded (scale ≥ its own). */
function rescale(value: Scaled, scale: number): bigint {
  return value.units * pow10(scale - value.scale);
}

/** numerator / denominator rounded half away from zero (denominator > 0). */
function divideRound(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n;
  const n = negative ? -numerator : numerator;
  const q = n / denominator;
  const rounded = (n % denominator) * 2n >= denominator ? q + 1n : q;
  return negative ? -rounded : rounded;
}

/** An integer count of 10^-decimals as a fixed-point string: (-1234n, 2) → "-12.34". */
export function formatFixed(units: bigint, decimals: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const text = decimals ? `${whole}.${digits.slice(digits.length - decimals)}` : whole;
  return negative && /[1-9]/.test(digits) ? `-${text}` : text;
}

/** A normalised VAT rate ("23.00") in hundredths of a percent (2300n), or undefined. */
function rateBasis(vatRate: string): bigint | undefined {
  const rate = scaled(vatRate);
  if (!rate || rate.scale > 2 || rate.units < 0n) return undefined;
  return rescale(rate, 2);
}

export interface FastLineInput {
  quantity: unknown;
  unitPrice: unknown;
  /** Normalised (`normaliseVatRate`). */
  vatRate: string;
  mode: 'gross' | 'net';
  discount?: unknown;
}

/**
 * `computeLine` for the inputs it handles exactly (see above), undefined for the rest — including
 * every input `computeLine` refuses, so its messages stay the only ones.
 */
export function computeLineFast(input: FastLineInput):
  | {
      quantity: string;
      unitNet: string;
      unitGross: string;
      net: string;
      vat: string;
      gross: string;
    }
  | undefined {
  const quantity = scaled(input.quantity);
  const unit = scaled(input.unitPrice);
  const discount = input.discount === undefined || input.discount === null ? ZERO : scaled(input.discount);
  const r = rateBasis(input.vatRate);
  if (!quantity || !unit || !discount || r === undefined) return undefined;
  if (quantity.units <= 0n || quantity.scale > 3) return undefined;
  // Negative amounts (vouchers) can round to a negative zero, which decimal.js prints as "-0.00";
  // and decimal.js keeps 28 significant digits, which a product of long operands could exceed.
  if (unit.units < 0n || discount.units < 0n) return undefined;
  if (digits(unit.units) + digits(quantity.units) > 26 || digits(discount.units) > 26) return undefined;
  // unit × quantity − discount, exactly, at (unit's + quantity's) decimals.
  const scale = Math.max(unit.scale + quantity.scale, discount.scale);
  const amount =
    unit.units * quantity.units * pow10(scale - unit.scale - quantity.scale) - rescale(discount, scale);
  if (amount < 0n) return undefined;
  const toCents = (value: bigint, from: number) =>
    from >= 2 ? divideRound(value, pow10(from - 2)) : value * pow10(2 - from);
  // factor = (10000 + r) / 10000
  const factorNumerator = 10000n + r;
  const unit4 = rescale(unit, Math.max(4, unit.scale));
  const unitScale = Math.max(4, unit.scale);
  let net: bigint, vat: bigint, gross: bigint, unitNet: bigint, unitGross: bigint;
  if (input.mode === 'gross') {
    gross = toCents(amount, scale);
    net = divideRound(gross * 10000n, factorNumerator);
    vat = gross - net;
    unitGross = divideRound(unit4, pow10(unitScale - 4));
    unitNet = divideRound(unit4 * 10000n, factorNumerator * pow10(unitScale - 4));
  } else {
    net = toCents(amount, scale);
    vat = divideRound(net * r, 10000n);
    gross = net + vat;
    unitNet = divideRound(unit4, pow10(unitScale - 4));
    unitGross = divideRound(unit4 * factorNumerator, 10000n * pow10(unitScale - 4));
  }
  return {
    quantity: formatFixed(rescale(quantity, 3), 3),
    unitNet: formatFixed(unitNet, 4),
    unitGross: formatFixed(unitGross, 4),
    net: formatFixed(net, 2),
    vat: formatFixed(vat, 2),
    gross: formatFixed(gross, 2),
  };
}

const ZERO: Scaled = { units: 0n, scale: 0 };
const digits = (n: bigint) => (n < 0n ? -n : n).toString().length;

/** Sums of 2-decimal amounts ("12.34") as cents; undefined when one is not such an amount. */
export function sumCents(values: readonly string[]): bigint | undefined {
  let sum = 0n;
  let negative = false;
  for (const value of values) {
    const amount = scaled(value);
    if (!amount || amount.scale > 2) return undefined;
    negative ||= amount.units < 0n || value.trim().startsWith('-');
    sum += rescale(amount, 2);
  }
  // decimal.js may land on a negative zero there; leave that case to it.
  return sum === 0n && negative ? undefined : sum;
}
