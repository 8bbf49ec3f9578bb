import type { PgLikeClient } from '../db/pglite-pool.ts';
import { prepared } from '../db/prepared.ts';

/**
 * Gap-free invoice numbering per series (SPEC "Invoicing core"). Numbers come from
 * `invoice_series.next_number`, read under `SELECT … FOR UPDATE` in the very transaction that
 * inserts the invoices: a rolled-back batch gives its numbers back, and two processes never get
 * the same number.
 */

export interface SeriesRow {
  id: string;
  companyId: string;
  code: string;
  pattern: string;
  /** `never`, `yearly` or `monthly`. */
  reset?: string;
}

/** The numbering period an issue date falls in: `2026`, `2026-12`, or '' for a series that never resets. */
export function periodOf(reset: string | undefined, issueDate: string): string {
  if (reset === 'yearly') return issueDate.slice(0, 4);
  if (reset === 'monthly') return issueDate.slice(0, 7);
  return '';
}

export interface ReservedBlock {
  series: SeriesRow;
  /** The first reserved number; the block is `first … first + count - 1`. */
  first: number;
  count: number;
  period: string;
}

export class NumberingError extends Error {
  override name = 'NumberingError';
}

const TOKEN = /\{(code|yyyy|yy|mm|dd|n)(?::(\d{1,2}))?\}/g;

/**
 * Formats a number with its series pattern: `{code}`, `{yyyy}`, `{yy}`, `{mm}`, `{dd}` (from the
 * issue date, `YYYY-MM-DD`), `{n}` and `{n:6}` (zero-padded to 6 digits).
 */
export function formatInvoiceNumber(options: {
  pattern: string;
  code: string;
  issueDate: string;
  n: number;
}): string {
  const { pattern, code, issueDate, n } = options;
  const [yyyy = '', mm = '', dd = ''] = issueDate.slice(0, 10).split('-');
  return pattern.replace(TOKEN, (_match, token: string, width: string | undefined) => {
    switch (token) {
      case 'code':
        return code;
      case 'yyyy':
        return yyyy;
      case 'yy':
        return yyyy.slice(2);
      case 'mm':
        return mm;
      case 'dd':
        return dd;
      default:
        return width ? String(n).padStart(Number(width), '0') : String(n);
    }
  });
}

/**
 * Reserves `count` consecutive numbers of a series in one row lock. The caller must be inside a
 * transaction on `client` and must use every reserved number before it commits (that is what
 * keeps the series gap-free).
 */
export async function reserveNumbers(
  client: PgLikeClient,
  options: { seriesId: string; count: number; period?: string },
): Promise<ReservedBlock> {
  const { seriesId, count } = options;
  const period = options.period ?? '';
  if (!Number.isInteger(count) || count < 1)
    throw new NumberingError(`cannot reserve ${count} invoice numbers`);
  if (period !== '') {
    // A series that resets counts per period: the counter row is created by the first invoice of
    // the period (a concurrent first insert waits on the key, then updates) and locked until commit.
    const counted = await client.query<{
      id: string;
      company_id: string;
      code: string;
      pattern: string;
      reset: string;
      first: number;
    }>(
      `with c as (
         insert into invoice_series_counters (series_id, period, next_number)
         select id, $3, 1 + $2 from invoice_series where id = $1
         on conflict (series_id, period) do update set next_number = invoice_series_counters.next_number + $2
         returning series_id, next_number - $2 as first)
       select s.id, s.company_id, s.code, s.pattern, s.reset, c.first from c join invoice_series s on s.id = c.series_id`,
      [seriesId, count, period],
    );
    const row = counted.rows[0];
    if (!row) throw new NumberingError(`invoice series ${seriesId} does not exist`);
    return {
      series: {
        id: row.id,
        companyId: row.company_id,
        code: row.code,
        pattern: row.pattern,
        reset: row.reset,
      },
      first: Number(row.first),
      count,
      period,
    };
  }
  // One round trip: the CTE's SELECT … FOR UPDATE locks the row, the UPDATE moves the counter past
  // the block, and RETURNING gives the number the block starts at (the value before the update).
  const locked = await client.query<{
    id: string;
    company_id: string;
    code: string;
    pattern: string;
    reset: string;
    next_number: number;
  }>(
    prepared(
      `with s as (select id, company_id, code, pattern, reset, next_number from invoice_series where id = $1 for update)
     update invoice_series i set next_number = s.next_number + $2 from s where i.id = s.id
     returning s.id, s.company_id, s.code, s.pattern, s.reset, s.next_number`,
      [seriesId, count],
    ),
  );
  const row = locked.rows[0];
  if (!row) throw new NumberingError(`invoice series ${seriesId} does not exist`);
  const first = Number(row.next_number);
  return {
    series: { id: row.id, companyId: row.company_id, code: row.code, pattern: row.pattern, reset: row.reset },
    first,
    count,
    period,
  };
}
