import type { FrozenDocument, FrozenLine } from './frozen-document.ts';
import { Decimal, sumLines, totalsByRate } from './money.ts';

/**
 * Correction documents (SPEC "Invoicing core": an issued document is never edited, only corrected
 * by a linked document; reference README "E-invoicing": PL art. 106j names the corrected invoice
 * by number and date, states the reason and the corrected items and amounts; RO Codul fiscal art.
 * 319 reverses with negative amounts — storno — referring to the original).
 *
 * A correction states the difference: each corrected line with the quantity and amounts that came
 * off (negative), so the invoice plus all its corrections add up, to the cent, to what the buyer
 * finally paid. A line's amounts after a return are the invoice's line amounts scaled to the
 * quantity kept (rounded half-up), so returning the last unit always lands on exactly zero.
 */

export type CorrectionKind = 'cancellation' | 'return' | 'refund';

export interface CorrectionDetails {
  kind: CorrectionKind;
  /** Why the document is corrected, in the seller's words (printed on the document). */
  reason: string;
  correctedId: string;
  /** The corrected document's number and issue date, as printed on it. */
  correctedNumber: string;
  correctedIssueDate: string;
}

/** A frozen correction: the frozen document of `type: 'correction'` with what it corrects. */
export type FrozenCorrection = FrozenDocument & { correction: CorrectionDetails };

export function isFrozenCorrection(doc: FrozenDocument | null | undefined): doc is FrozenCorrection {
  return (
    !!doc && doc.type === 'correction' && typeof (doc as Partial<FrozenCorrection>).correction === 'object'
  );
}

/** What comes off one line: units returned, or a gross amount refunded without a return. */
export interface CorrectionLineRequest {
  /** The invoice line's position (1-based, as printed). */
  position: number;
  /** Units that came back. */
  quantity?: string | number;
  /** Gross amount refunded on this line without units coming back. */
  amount?: string | number;
}

/** Everything left (a cancellation: a correction to zero), or some lines. */
/**
 * What a correction takes off: everything left, named lines, or a gross amount refunded on the
 * whole invoice without naming lines — split over the lines in proportion to what is left on
 * each (a refund of a part of the price: VAT follows each line's rate).
 */
export type CorrectionScope =
  { all: true } | { lines: readonly CorrectionLineRequest[] } | { amount: string | number };

export class CorrectionError extends Error {
  override name = 'CorrectionError';
  readonly code: 'invalid' | 'nothing_left';
  constructor(message: string, code: 'invalid' | 'nothing_left' = 'invalid') {
    super(message);
    this.code = code;
  }
}

interface LineState {
  quantity: Decimal;
  net: Decimal;
  vat: Decimal;
  gross: Decimal;
}

/** Each invoice line as it stands after the corrections already issued (by position). */
export function currentLines(
  invoice: FrozenDocument,
  corrections: readonly FrozenDocument[],
): Map<number, LineState> {
  const states = new Map<number, LineState>();
  for (const l of invoice.lines)
    states.set(l.position, {
      quantity: new Decimal(l.quantity),
      net: new Decimal(l.net),
      vat: new Decimal(l.vat),
      gross: new Decimal(l.gross),
    });
  for (const c of corrections)
    for (const l of c.lines) {
      const s = states.get(l.position);
      if (!s) continue;
      s.quantity = s.quantity.plus(l.quantity);
      s.net = s.net.plus(l.net);
      s.vat = s.vat.plus(l.vat);
      s.gross = s.gross.plus(l.gross);
    }
  return states;
}

const money = (d: Decimal) => d.toFixed(2);
const units = (d: Decimal) => d.toFixed(3);

function positive(value: string | number, what: string): Decimal {
  let d: Decimal;
  try {
    d = new Decimal(value);
  } catch {
    throw new CorrectionError(`${what} must be a number, got ${JSON.stringify(value)}`);
  }
  if (!d.isFinite() || d.lessThanOrEqualTo(0)) throw new CorrectionError(`${what} must be above zero`);
  return d;
}

/**
 * The corrected lines: the difference between each line as it stands and as it must stand.
 * Refuses (CorrectionError) a line the invoice does not have, more units than are left, a refund
 * above what is left to pay on a line, or a scope that changes nothing.
 */
export function correctionLines(
  invoice: FrozenDocument,
  corrections: readonly FrozenDocument[],
  scope: CorrectionScope,
): FrozenLine[] {
  const states = currentLines(invoice, corrections);
  const out: FrozenLine[] = [];
  const push = (line: FrozenLine, now: LineState, after: LineState) => {
    const diff = {
      quantity: after.quantity.minus(now.quantity),
      net: after.net.minus(now.net),
      vat: after.vat.minus(now.vat),
      gross: after.gross.minus(now.gross),
    };
    if (diff.quantity.isZero() && diff.gross.isZero() && diff.net.isZero()) return;
    out.push({
      ...line,
      quantity: units(diff.quantity),
      net: money(diff.net),
      vat: money(diff.vat),
      gross: money(diff.gross),
    });
  };
  const zero = { quantity: new Decimal(0), net: new Decimal(0), vat: new Decimal(0), gross: new Decimal(0) };
  if ('amount' in scope)
    return correctionLines(invoice, corrections, { lines: amountShares(invoice, states, scope.amount) });
  if ('all' in scope) {
    for (const line of invoice.lines) push(line, states.get(line.position)!, zero);
  } else {
    if (scope.lines.length === 0) throw new CorrectionError('Name at least one line to correct.');
    const seen = new Set<number>();
    for (const request of scope.lines) {
      const line = invoice.lines.find((l) => l.position === request.position);
      if (!line)
        throw new CorrectionError(
          `Invoice ${invoice.number} has no line ${request.position}; it has lines 1 to ${invoice.lines.length}.`,
        );
      if (seen.has(request.position))
        throw new CorrectionError(`Line ${request.position} is named twice; name each line once.`);
      seen.add(request.position);
      const now = states.get(line.position)!;
      const sold = new Decimal(line.quantity);
      if (request.quantity !== undefined && request.quantity !== null) {
        const back = positive(request.quantity, `The quantity returned of line ${request.position}`);
        if (back.greaterThan(now.quantity))
          throw new CorrectionError(
            `Line ${request.position} (${line.name}) was sold ${sold.toString()} and ${now.quantity.toString()} ${
              now.quantity.equals(sold) ? 'are' : 'are left after earlier corrections'
            }; ${back.toString()} cannot come back.`,
          );
        const kept = now.quantity.minus(back);
        const share = (amount: string) => new Decimal(amount).times(kept).dividedBy(sold).toDecimalPlaces(2);
        const net = share(line.net);
        const gross = share(line.gross);
        push(line, now, { quantity: kept, net, gross, vat: gross.minus(net) });
      } else if (request.amount !== undefined && request.amount !== null) {
        const refund = positive(request.amount, `The amount refunded on line ${request.position}`);
        if (refund.decimalPlaces() > 2)
          throw new CorrectionError(
            `The amount refunded on line ${request.position} has more than 2 decimals.`,
          );
        if (refund.greaterThan(now.gross))
          throw new CorrectionError(
            `The refund of ${refund.toFixed(2)} ${invoice.currency} on line ${request.position} (${line.name}) is above the ${money(
              now.gross,
            )} ${invoice.currency} left to pay on it.`,
          );
        const gross = now.gross.minus(refund);
        const factor = new Decimal(1).plus(new Decimal(line.vatRate).dividedBy(100));
        const net = gross.dividedBy(factor).toDecimalPlaces(2);
        const quantity = gross.isZero() ? new Decimal(0) : now.quantity;
        push(line, now, { quantity, net, gross, vat: gross.minus(net) });
      } else {
        throw new CorrectionError(
          `Line ${request.position}: give the quantity returned or the amount refunded.`,
        );
      }
    }
  }
  if (out.length === 0)
    throw new CorrectionError(
      `Invoice ${invoice.number} is already corrected to zero; there is nothing left to correct.`,
      'nothing_left',
    );
  return out;
}

/**
 * A refund of `amount` (gross) spread over the lines with something left on them, in proportion
 * to what is left, each share rounded down to the cent and the cents over given to the largest
 * lines first, so the shares add up to the amount exactly.
 */
function amountShares(
  invoice: FrozenDocument,
  states: ReadonlyMap<number, LineState>,
  amount: string | number,
): CorrectionLineRequest[] {
  const refund = positive(amount, 'The amount refunded');
  if (refund.decimalPlaces() > 2) throw new CorrectionError('The amount refunded has more than 2 decimals.');
  const open = invoice.lines
    .map((line) => ({ position: line.position, left: states.get(line.position)!.gross }))
    .filter((l) => l.left.greaterThan(0));
  const left = open.reduce((sum, l) => sum.plus(l.left), new Decimal(0));
  if (open.length === 0)
    throw new CorrectionError(
      `Invoice ${invoice.number} is already corrected to zero; there is nothing left to correct.`,
      'nothing_left',
    );
  if (refund.greaterThan(left))
    throw new CorrectionError(
      `The refund of ${refund.toFixed(2)} ${invoice.currency} is above the ${left.toFixed(2)} ${invoice.currency} left to pay on invoice ${invoice.number}.`,
    );
  const shares = open.map((l) => ({
    ...l,
    share: refund.times(l.left).dividedBy(left).toDecimalPlaces(2, Decimal.ROUND_DOWN),
  }));
  let cents = refund
    .minus(shares.reduce((sum, s) => sum.plus(s.share), new Decimal(0)))
    .times(100)
    .toNumber();
  for (const s of [...shares].sort((a, b) => b.left.comparedTo(a.left) || a.position - b.position)) {
    if (cents <= 0) break;
    if (s.share.plus(0.01).lessThanOrEqualTo(s.left)) {
      s.share = s.share.plus(0.01);
      cents -= 1;
    }
  }
  return shares
    .filter((s) => s.share.greaterThan(0))
    .map((s) => ({ position: s.position, amount: s.share.toFixed(2) }));
}

/** The frozen correction of `invoice`: its own series, number and date; the buyer, seller and rate as invoiced. */
export function buildCorrectionDocument(input: {
  invoice: FrozenDocument;
  invoiceId: string;
  lines: FrozenLine[];
  seriesCode: string;
  number: string;
  issueDate: string;
  kind: CorrectionKind;
  reason: string;
}): FrozenCorrection {
  const { invoice, lines } = input;
  const rate = invoice.exchangeRate;
  const national = (amount: string) =>
    rate ? new Decimal(amount).times(rate.rate).toDecimalPlaces(2).toFixed(2) : undefined;
  const vatSummary = totalsByRate(lines).map((t) => ({
    vatRate: t.vatRate,
    net: t.net,
    vat: t.vat,
    gross: t.gross,
    ...(rate ? { vatNational: national(t.vat)! } : {}),
  }));
  const vatNational = vatSummary
    .reduce((sum, s) => sum.plus(s.vatNational ?? '0'), new Decimal(0))
    .toFixed(2);
  return {
    ...invoice,
    type: 'correction',
    series: input.seriesCode,
    number: input.number,
    issueDate: input.issueDate,
    lines,
    vatSummary,
    totals: sumLines(lines),
    exchangeRate: rate ? { ...rate, vatNational } : null,
    payment: { method: invoice.payment.method, dueDate: input.issueDate, paid: false },
    corrects: input.invoiceId,
    correction: {
      kind: input.kind,
      reason: input.reason,
      correctedId: input.invoiceId,
      correctedNumber: invoice.number,
      correctedIssueDate: invoice.issueDate,
    },
  };
}
