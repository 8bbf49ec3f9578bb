/**
 * The order status matrix (API doc "Order status matrix"): which status an order may move
 * to with `order/save`, and for how long after the current status was set.
 */
export const ORDER_STATUS_NAMES: Record<number, string> = {
  0: 'canceled',
  1: 'new',
  2: 'in progress',
  3: 'prepared',
  4: 'finalized',
  5: 'returned',
};

const HOUR = 3_600_000;
/** "Yes in 48h max" cells. */
export const REVERT_WINDOW_MS = 48 * HOUR;
/** "Yes in RT + 5 days max": RT is the customer return time, 30 days on eMAG. */
export const RETURN_WINDOW_MS = (30 + 5) * 24 * HOUR;

type Rule = 'yes' | 'no' | 'ack' | '48h' | 'rt';

// MATRIX[actual][new]
const MATRIX: Record<number, Record<number, Rule>> = {
  1: { 1: 'no', 2: 'ack', 3: 'no', 4: 'no', 0: 'no', 5: 'no' },
  2: { 1: 'no', 2: 'yes', 3: 'yes', 4: 'yes', 0: 'yes', 5: 'no' },
  3: { 1: 'no', 2: 'no', 3: 'yes', 4: 'yes', 0: 'yes', 5: 'no' },
  4: { 1: 'no', 2: 'no', 3: '48h', 4: 'yes', 0: '48h', 5: 'rt' },
  0: { 1: 'no', 2: '48h', 3: '48h', 4: '48h', 0: 'yes', 5: 'no' },
  5: { 1: 'no', 2: 'no', 3: 'no', 4: 'no', 0: 'no', 5: 'no' },
};

/** Why the move is refused, or undefined when it is allowed. */
export function refuseTransition(from: number, to: number, sinceChangeMs: number): string | undefined {
  const rule = MATRIX[from]?.[to] ?? 'no';
  const move = `from status ${from} (${ORDER_STATUS_NAMES[from]}) to ${to} (${ORDER_STATUS_NAMES[to] ?? '?'})`;
  switch (rule) {
    case 'yes':
      return undefined;
    case 'no':
      return `The order status cannot be changed ${move}`;
    case 'ack':
      return `The order status can be changed ${move} only by acknowledging the order (order/acknowledge)`;
    case '48h':
      return sinceChangeMs <= REVERT_WINDOW_MS
        ? undefined
        : `The order status can be changed ${move} only within 48 hours`;
    case 'rt':
      return sinceChangeMs <= RETURN_WINDOW_MS
        ? undefined
        : `The order status can be changed ${move} only within the return time plus 5 days`;
  }
}

/** reason_cancellation codes (API doc "Order fields": 1–3 and 15–43). */
export function isCancellationReason(code: number): boolean {
  return (code >= 1 && code <= 3) || (code >= 15 && code <= 43);
}
