import { ConfigError, type CorrectionLine } from '@mch/plugin-sdk';
import type { AllegroRefund, FormLineItem, Money, RefundableForm } from './types.ts';

/**
 * What a refund of an Allegro order may still give back, and the plan of one refund: the body
 * `POST /payments/refunds` takes (OpenAPI `InitializeRefund`) and the invoice lines the matching
 * correction names. Pure: the form and the order's earlier refunds are read by the caller.
 */

/** Amounts in hundredths: Allegro writes them as decimal strings with at most two decimals (#12680). */
const MONEY = /^\d+(\.\d{1,2})?$/;

export function cents(amount: string): number {
  const [whole = '0', fraction = ''] = amount.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

export function decimal(hundredths: number): string {
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}

/** Refund statuses that give nothing back (OpenAPI `RefundDetails.status`). */
const VOID = new Set(['CANCELED', 'VALIDATE_FAILED']);

/**
 * The invoice position of each part of the order, as the manifest's `lines` expression lays them
 * out: line items first (1…n), then the deposits of those that carry one, then their additional
 * services, then delivery when it costs anything.
 */
export interface Positions {
  line: Map<string, number>;
  deposit: Map<string, number>;
  delivery: number | null;
}

export function invoicePositions(form: RefundableForm): Positions {
  const line = new Map<string, number>();
  const deposit = new Map<string, number>();
  let next = 1;
  for (const item of form.lineItems) line.set(item.id, next++);
  for (const item of form.lineItems) if (item.deposit) deposit.set(item.id, next++);
  for (const item of form.lineItems) next += item.selectedAdditionalServices?.length ?? 0;
  const delivery = form.delivery?.cost && cents(form.delivery.cost.amount) > 0 ? next : null;
  return { line, deposit, delivery };
}

/** What is left to refund of each line item (units and value), of delivery, and in all. */
export interface Refundable {
  currency: string;
  lines: Map<string, { item: FormLineItem; units: number; value: number }>;
  deposits: Map<string, number>;
  /** The line items' additional services, together. */
  services: number;
  delivery: number;
  total: number;
}

export function refundable(form: RefundableForm, earlier: readonly AllegroRefund[]): Refundable {
  const currency = form.summary?.totalToPay?.currency ?? form.lineItems[0]?.price.currency ?? 'PLN';
  const lines = new Map(
    form.lineItems.map((item) => [
      item.id,
      { item, units: item.quantity, value: cents(item.price.amount) * item.quantity },
    ]),
  );
  const deposits = new Map(
    form.lineItems.filter((i) => i.deposit).map((i) => [i.id, cents(i.deposit!.price.amount) * i.quantity]),
  );
  let services = form.lineItems.reduce(
    (sum, i) =>
      sum + (i.selectedAdditionalServices ?? []).reduce((s, x) => s + cents(x.price.amount) * x.quantity, 0),
    0,
  );
  let delivery = form.delivery?.cost ? cents(form.delivery.cost.amount) : 0;
  const paid = form.payment?.paidAmount ? cents(form.payment.paidAmount.amount) : 0;
  let total = paid;
  for (const refund of earlier) {
    if (VOID.has(refund.status)) continue;
    total -= cents(refund.totalValue.amount);
    for (const l of refund.lineItems ?? []) {
      const left = lines.get(l.id);
      if (!left) continue;
      if (l.type === 'QUANTITY') {
        const units = Number(l.quantity ?? 0);
        left.units -= units;
        left.value -= units * cents(left.item.price.amount);
      } else if (l.value) left.value -= cents(l.value.amount);
    }
    for (const d of refund.deposits ?? [])
      deposits.set(d.lineItemId, (deposits.get(d.lineItemId) ?? 0) - cents(d.totalValue.amount));
    if (refund.delivery?.value) delivery -= cents(refund.delivery.value.amount);
    if (refund.additionalServices?.value) services -= cents(refund.additionalServices.value.amount);
  }
  return { currency, lines, deposits, services, delivery, total };
}

/** One line of a refund as the seller asks for it: units back, or an amount of the line's value. */
export interface RefundLineInput {
  /** The order's line, 1 = the first line item (as numbered on the invoice). */
  line: number;
  quantity?: number;
  amount?: string;
}

export interface RefundInput {
  lines?: readonly RefundLineInput[];
  /** Delivery cost given back, a decimal amount. */
  delivery?: string;
  /** Everything not refunded yet (lines, deposits, services, delivery). */
  everything?: boolean;
}

export interface RefundPlan {
  body: {
    lineItems?: (
      { id: string; type: 'QUANTITY'; quantity: number } | { id: string; type: 'AMOUNT'; value: Money }
    )[];
    deposits?: { lineItemId: string; totalValue: Money }[];
    delivery?: { value: Money };
    additionalServices?: { value: Money };
  };
  total: number;
  /** The correction's lines; absent when the refund gives back everything left (a correction to zero). */
  correction?: CorrectionLine[];
  /** In words, for the correction's reason and the seller: "2 × Mug, delivery 9.99 PLN". */
  summary: string;
}

/** A refund above what the buyer paid less earlier refunds (#4693), in words. */
function overPaid(form: RefundableForm, total: number, left: Refundable): string {
  const paid = form.payment?.paidAmount ? cents(form.payment.paidAmount.amount) : 0;
  return `${shown(total, left.currency)} cannot be refunded: the buyer paid ${shown(paid, left.currency)} and ${shown(
    Math.max(0, left.total),
    left.currency,
  )} of it is left to refund.`;
}

const money = (hundredths: number, currency: string): Money => ({ amount: decimal(hundredths), currency });
const shown = (hundredths: number, currency: string) => `${decimal(hundredths)} ${currency}`;

/**
 * Plans one refund, refusing (ConfigError with the field to fix, nothing sent) a line the order
 * lacks, more units than are left to refund, an amount above what is left of a line or of delivery,
 * an amount with more than two decimals (Allegro refuses them, #12680), a refund above what the
 * buyer paid less earlier refunds (#4693), and an empty refund (#6878).
 */
export function planRefund(
  form: RefundableForm,
  earlier: readonly AllegroRefund[],
  input: RefundInput,
): RefundPlan {
  const left = refundable(form, earlier);
  const { currency } = left;
  const positions = invoicePositions(form);
  const items = form.lineItems;
  const lineItems: NonNullable<RefundPlan['body']['lineItems']> = [];
  const deposits: NonNullable<RefundPlan['body']['deposits']> = [];
  const correction: CorrectionLine[] = [];
  const words: string[] = [];
  let total = 0;

  if (input.everything) {
    if (input.lines?.length || input.delivery)
      throw new ConfigError('Ask for everything, or for lines and delivery — not both.', {
        pointer: '/everything',
      });
    for (const { item, units, value } of left.lines.values()) {
      if (units > 0 && value === units * cents(item.price.amount)) {
        lineItems.push({ id: item.id, type: 'QUANTITY', quantity: units });
        words.push(`${units} × ${item.offer.name}`);
      } else if (value > 0) {
        lineItems.push({ id: item.id, type: 'AMOUNT', value: money(value, currency) });
        words.push(`${shown(value, currency)} of ${item.offer.name}`);
      }
      total += Math.max(0, value);
    }
    for (const [id, value] of left.deposits)
      if (value > 0) {
        deposits.push({ lineItemId: id, totalValue: money(value, currency) });
        total += value;
      }
    const body: RefundPlan['body'] = {};
    if (left.services > 0) {
      body.additionalServices = { value: money(left.services, currency) };
      total += left.services;
      words.push(`services ${shown(left.services, currency)}`);
    }
    if (left.delivery > 0) {
      body.delivery = { value: money(left.delivery, currency) };
      total += left.delivery;
      words.push(`delivery ${shown(left.delivery, currency)}`);
    }
    if (total <= 0)
      throw new ConfigError('Nothing is left to refund on this order: it was refunded in full.');
    if (total > left.total) throw new ConfigError(overPaid(form, total, left));
    if (lineItems.length) body.lineItems = lineItems;
    if (deposits.length) body.deposits = deposits;
    return { body, total, summary: `everything left: ${words.join(', ')}` };
  }

  const seen = new Set<number>();
  (input.lines ?? []).forEach((asked, i) => {
    const pointer = `/lines/${i}`;
    const item = items[asked.line - 1];
    if (!Number.isInteger(asked.line) || !item)
      throw new ConfigError(`The order has no line ${asked.line}; its lines are 1 to ${items.length}.`, {
        pointer: `${pointer}/line`,
      });
    if (seen.has(asked.line))
      throw new ConfigError(`Line ${asked.line} is named twice; name each line once.`, {
        pointer: `${pointer}/line`,
      });
    seen.add(asked.line);
    const now = left.lines.get(item.id)!;
    const position = positions.line.get(item.id)!;
    if ((asked.quantity === undefined) === (asked.amount === undefined))
      throw new ConfigError(
        `Line ${asked.line} (${item.offer.name}): give the units to refund or an amount, one of the two.`,
        {
          pointer,
        },
      );
    if (asked.quantity !== undefined) {
      if (!Number.isInteger(asked.quantity) || asked.quantity < 1)
        throw new ConfigError(
          `The units to refund on line ${asked.line} must be a whole number of at least 1.`,
          {
            pointer: `${pointer}/quantity`,
          },
        );
      if (asked.quantity > now.units)
        throw new ConfigError(
          `${asked.quantity} × ${item.offer.name} cannot be refunded: the order sold ${item.quantity} and ${
            now.units
          } ${now.units === 1 ? 'is' : 'are'} left to refund.`,
          { pointer: `${pointer}/quantity` },
        );
      const value = asked.quantity * cents(item.price.amount);
      lineItems.push({ id: item.id, type: 'QUANTITY', quantity: asked.quantity });
      correction.push({ position, quantity: asked.quantity });
      total += value;
      words.push(`${asked.quantity} × ${item.offer.name}`);
      // The deposit of the units that come back goes back with them.
      const depositLeft = left.deposits.get(item.id) ?? 0;
      if (item.deposit && depositLeft > 0) {
        const back = Math.min(depositLeft, asked.quantity * cents(item.deposit.price.amount));
        deposits.push({ lineItemId: item.id, totalValue: money(back, currency) });
        correction.push({ position: positions.deposit.get(item.id)!, amount: decimal(back) });
        total += back;
      }
    } else {
      const amount = asked.amount!;
      if (!MONEY.test(amount) || cents(amount) === 0)
        throw new ConfigError(
          `The amount to refund on line ${asked.line} must be above 0 with at most two decimals, e.g. 12.50.`,
          {
            pointer: `${pointer}/amount`,
          },
        );
      if (cents(amount) > now.value)
        throw new ConfigError(
          `${amount} ${currency} cannot be refunded on line ${asked.line} (${item.offer.name}): ${shown(
            Math.max(0, now.value),
            currency,
          )} of it is left to refund.`,
          { pointer: `${pointer}/amount` },
        );
      lineItems.push({ id: item.id, type: 'AMOUNT', value: { amount: decimal(cents(amount)), currency } });
      correction.push({ position, amount: decimal(cents(amount)) });
      total += cents(amount);
      words.push(`${shown(cents(amount), currency)} of ${item.offer.name}`);
    }
  });

  const body: RefundPlan['body'] = {};
  if (input.delivery !== undefined) {
    if (!MONEY.test(input.delivery) || cents(input.delivery) === 0)
      throw new ConfigError(
        'The delivery cost to refund must be above 0 with at most two decimals, e.g. 9.99.',
        {
          pointer: '/delivery',
        },
      );
    const asked = cents(input.delivery);
    if (positions.delivery === null || asked > left.delivery)
      throw new ConfigError(
        `${shown(asked, currency)} of delivery cannot be refunded: ${shown(Math.max(0, left.delivery), currency)} of it is left to refund.`,
        { pointer: '/delivery' },
      );
    body.delivery = { value: money(asked, currency) };
    correction.push({ position: positions.delivery, amount: decimal(asked) });
    total += asked;
    words.push(`delivery ${shown(asked, currency)}`);
  }
  if (total === 0)
    throw new ConfigError(
      'Say what to refund: lines (units or an amount), the delivery cost, or everything.',
      {
        pointer: '/lines',
      },
    );
  if (total > left.total) throw new ConfigError(overPaid(form, total, left));
  if (lineItems.length) body.lineItems = lineItems;
  if (deposits.length) body.deposits = deposits;
  return { body, total, correction, summary: words.join(', ') };
}
