import { describe, expect, it } from 'vitest';
import {
  isCancellationReason,
  refuseTransition,
  RETURN_WINDOW_MS,
  REVERT_WINDOW_MS,
} from './order-status.ts';

const allowed = (from: number, to: number, since = 0) => refuseTransition(from, to, since) === undefined;

describe('order status matrix (API doc "Order status matrix")', () => {
  it('matches every cell of the matrix', () => {
    // rows: actual status; columns: new status 1, 2, 3, 4, 0, 5 — "y" yes, "t" time-bound, "-" no.
    const table: Record<number, string> = {
      1: '------',
      2: '-yyyy-',
      3: '--yyy-',
      4: '--tytt',
      0: '-ttty-',
      5: '------',
    };
    const columns = [1, 2, 3, 4, 0, 5];
    for (const [from, row] of Object.entries(table)) {
      columns.forEach((to, i) => {
        const cell = row[i];
        expect(allowed(Number(from), to), `${from}→${to}`).toBe(cell === 'y' || cell === 't');
      });
    }
  });

  it('closes the time-bound moves after their window', () => {
    expect(allowed(4, 3, REVERT_WINDOW_MS + 1)).toBe(false);
    expect(allowed(0, 2, REVERT_WINDOW_MS + 1)).toBe(false);
    expect(allowed(4, 5, REVERT_WINDOW_MS + 1)).toBe(true);
    expect(allowed(4, 5, RETURN_WINDOW_MS + 1)).toBe(false);
    expect(refuseTransition(1, 2, 0)).toMatch(/acknowledging/);
  });

  it('knows the cancellation reasons', () => {
    expect([1, 2, 3, 15, 43].every(isCancellationReason)).toBe(true);
    expect([0, 4, 14, 44].some(isCancellationReason)).toBe(false);
  });
});
