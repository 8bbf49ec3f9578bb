import { formatUnits } from '@mch/plugin-sdk/sandbox-kit';
import type { RefundAmounts, RefundRecord } from '../returns-store.ts';

/** A refusal of `POST /payments/refunds`: 422 VALIDATION_ERROR unless said otherwise. */
export interface Refusal {
  message: string;
  path?: string;
  details?: string;
}

interface Price {
  amount: string;
  currency: string;
}
export interface RefundForm {
  id: string;
  payment: { id: string; finishedAt?: string; paidAmount?: Price };
  lineItems: {
    id: string;
    quantity: number;
    price: Price;
    deposit?: { price: Price };
    selectedAdditionalServices?: { price: Price; quantity: number }[];
  }[];
  delivery: { cost: Price };
  summary: { totalToPay: Price };
  surcharges: { id?: string }[];
}

/** What a valid request refunds, in minor units of the order's currency, and its RefundDetails parts. */
export interface RefundPlan extends RefundAmounts {
  parts: Record<string, unknown>;
}

const units = (amount: string): number => Math.round(Number(amount) * 100);
/** Amounts in Allegro's refusals are written the Polish way: `50,41 PLN` (#12680). */
const words = (u: number, currency: string): string => `${formatUnits(u).replace('.', ',')} ${currency}`;
const sum = (m: Map<string, number>, key: string): number => m.get(key) ?? 0;
const add = (m: Map<string, number>, key: string, v: number): void => void m.set(key, sum(m, key) + v);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A money value of the request: `{amount, currency}`, amount a decimal string (or a JSON number)
 * with at most two decimals (#12680: `50.410000000000004` is refused), above zero, in the order's
 * currency (#4755). A missing value is Allegro's "Niewłaściwy format parametru" (#4391).
 */
function money(value: unknown, path: string, currency: string): number | Refusal {
  if (!isObject(value) || value.amount === undefined || value.amount === null) {
    return {
      message: 'Niewłaściwy format parametru',
      details: `Invalid value: ${JSON.stringify(value ?? null)}`,
      path,
    };
  }
  const raw = typeof value.amount === 'number' ? String(value.amount) : value.amount;
  if (typeof raw !== 'string' || !/^-?\d+(\.\d+)?$/.test(raw)) {
    return { message: `${path}.amount must be a decimal number such as 12.34`, path: `${path}.amount` };
  }
  if ((raw.split('.')[1] ?? '').length > 2) {
    return {
      message: `${path}.amount ${raw} has more than two decimal places; send at most two (e.g. 50.41)`,
      path: `${path}.amount`,
    };
  }
  const u = units(raw);
  if (u <= 0) return { message: `${path}.amount must be greater than 0`, path: `${path}.amount` };
  if (value.currency !== currency) {
    return {
      message: `${path}.currency must be the order's currency ${currency}, not ${String(value.currency)}`,
      path: `${path}.currency`,
    };
  }
  return u;
}

const exceeded = (who: string, left: number, asked: number, currency: string, path: string): Refusal => ({
  message: `${who} wartość przekroczona, dostępna: ${words(left, currency)}, żądana: ${words(asked, currency)}`,
  path,
});

/**
 * Checks an InitializeRefund body against the order and its earlier refunds that are not
 * CANCELED (those still in progress count, #8840). Each part may refund at most what is left of
 * it; the whole at most what the buyer paid minus earlier refunds (#4693); something must be
 * refunded (#6878).
 */
export function checkRefund(input: {
  body: Record<string, unknown>;
  form: RefundForm;
  earlier: RefundRecord[];
}): { ok: true; plan: RefundPlan } | { ok: false; refusal: Refusal } {
  const { body, form, earlier } = input;
  const currency = form.summary.totalToPay.currency;
  const plan: RefundPlan = {
    totalUnits: 0,
    quantities: new Map(),
    lineUnits: new Map(),
    depositUnits: new Map(),
    deliveryUnits: 0,
    servicesUnits: 0,
    overpaidUnits: 0,
    parts: {},
  };
  const fail = (refusal: Refusal) => ({ ok: false as const, refusal });
  const done = (pick: (r: RefundRecord) => number) => earlier.reduce((t, r) => t + pick(r), 0);
  const money2 = (u: number) => ({ amount: formatUnits(u), currency });

  // Line items: QUANTITY (a positive integer of units, #4391) or AMOUNT (money).
  if (body.lineItems !== undefined && !Array.isArray(body.lineItems))
    return fail({ message: 'lineItems must be an array', path: 'lineItems' });
  const lineParts: Record<string, unknown>[] = [];
  for (const item of (body.lineItems ?? []) as unknown[]) {
    if (!isObject(item)) return fail({ message: 'lineItems[] must be objects', path: 'lineItems' });
    const line = form.lineItems.find((l) => l.id === item.id);
    if (!line)
      return fail({
        message: `Line item ${String(item.id)} is not on order ${form.id}`,
        path: 'lineItems.id',
      });
    const price = units(line.price.amount);
    const lineValueLeft =
      price * line.quantity - done((r) => sum(r.lineUnits, line.id)) - sum(plan.lineUnits, line.id);
    if (item.type === 'QUANTITY') {
      const q = item.quantity;
      if (typeof q !== 'number' || !Number.isInteger(q) || q <= 0) {
        return fail({
          message: 'Niewłaściwy format parametru',
          details: `Invalid value: ${JSON.stringify(q ?? null)}`,
          path: 'lineItems.quantity',
        });
      }
      const left = line.quantity - done((r) => sum(r.quantities, line.id)) - sum(plan.quantities, line.id);
      // #8840: refunds still in progress count — "dostępna: 0" after an earlier refund of the unit.
      if (q > left)
        return fail({
          message: `Oferta: ${line.id} ilość przekroczona, dostępna: ${Math.max(0, left)}, żądana: ${q}`,
          path: 'lineItems.quantity',
        });
      if (q * price > lineValueLeft)
        return fail(exceeded(`Oferta: ${line.id}`, lineValueLeft, q * price, currency, 'lineItems.quantity'));
      add(plan.quantities, line.id, q);
      add(plan.lineUnits, line.id, q * price);
      plan.totalUnits += q * price;
      lineParts.push({ id: line.id, type: 'QUANTITY', quantity: q });
    } else if (item.type === 'AMOUNT') {
      const u = money(item.value, 'lineItems.value', currency);
      if (typeof u !== 'number') return fail(u);
      if (u > lineValueLeft)
        return fail(exceeded(`Oferta: ${line.id}`, lineValueLeft, u, currency, 'lineItems.value'));
      add(plan.lineUnits, line.id, u);
      plan.totalUnits += u;
      lineParts.push({ id: line.id, type: 'AMOUNT', value: money2(u) });
    } else {
      return fail({ message: 'lineItems.type must be QUANTITY or AMOUNT', path: 'lineItems.type' });
    }
  }
  if (lineParts.length > 0) plan.parts.lineItems = lineParts;

  // Deposits, per line item that has one (RefundLineItemDeposit.totalValue).
  if (body.deposits !== undefined && !Array.isArray(body.deposits))
    return fail({ message: 'deposits must be an array', path: 'deposits' });
  const depositParts: Record<string, unknown>[] = [];
  for (const d of (body.deposits ?? []) as unknown[]) {
    const lineId = isObject(d) ? d.lineItemId : undefined;
    const line = form.lineItems.find((l) => l.id === lineId);
    if (!isObject(d) || !line?.deposit)
      return fail({
        message: `Line item ${String(lineId)} of order ${form.id} has no deposit to refund`,
        path: 'deposits.lineItemId',
      });
    const u = money(d.totalValue, 'deposits.totalValue', currency);
    if (typeof u !== 'number') return fail(u);
    const left =
      units(line.deposit.price.amount) * line.quantity -
      done((r) => sum(r.depositUnits, line.id)) -
      sum(plan.depositUnits, line.id);
    if (u > left) return fail(exceeded(`Oferta: ${line.id}`, left, u, currency, 'deposits.totalValue'));
    add(plan.depositUnits, line.id, u);
    plan.totalUnits += u;
    depositParts.push({ lineItemId: line.id, totalValue: money2(u) });
  }
  if (depositParts.length > 0) plan.parts.deposits = depositParts;

  // Delivery, additional services and overpayment: one value each, up to what is left of it.
  const servicesTotal = form.lineItems.reduce(
    (t, l) =>
      t + (l.selectedAdditionalServices ?? []).reduce((s, x) => s + units(x.price.amount) * x.quantity, 0),
    0,
  );
  const paid = form.payment.paidAmount ? units(form.payment.paidAmount.amount) : 0;
  const single = [
    ['delivery', 'Dostawa:', units(form.delivery.cost.amount), 'deliveryUnits'],
    ['additionalServices', 'Usługi dodatkowe:', servicesTotal, 'servicesUnits'],
    ['overpaid', 'Nadpłata:', Math.max(0, paid - units(form.summary.totalToPay.amount)), 'overpaidUnits'],
  ] as const;
  for (const [key, who, whole, field] of single) {
    const part = body[key];
    if (part === undefined || part === null) continue;
    const u = money(isObject(part) ? part.value : undefined, `${key}.value`, currency);
    if (typeof u !== 'number') return fail(u);
    const left = whole - done((r) => r[field]);
    if (u > left) return fail(exceeded(who, left, u, currency, `${key}.value`));
    plan[field] = u;
    plan.totalUnits += u;
    plan.parts[key] = { value: money2(u) };
  }
  // The sandbox's orders carry no surcharges (checkout form `surcharges: []`).
  if (Array.isArray(body.surcharges) && body.surcharges.length > 0) {
    const first = body.surcharges[0] as { id?: unknown } | undefined;
    return fail({
      message: `Surcharge ${String(first?.id)} is not a surcharge of order ${form.id}`,
      path: 'surcharges.id',
    });
  }

  // #6878: a refund must refund something.
  if (plan.totalUnits === 0)
    return fail({
      message:
        'Nothing to refund: give lineItems, deposits, delivery, additionalServices, overpaid or surcharges',
      path: 'lineItems',
    });
  // #4693: "you cannot return more money than you received".
  const paidLeft = paid - done((r) => r.totalUnits);
  if (plan.totalUnits > paidLeft)
    return fail({
      message: `You cannot refund more money than the buyer paid: ${words(Math.max(0, paidLeft), currency)} left of payment ${form.payment.id}, ${words(plan.totalUnits, currency)} asked`,
    });
  return { ok: true, plan };
}
