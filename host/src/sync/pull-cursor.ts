import { ConfigError } from '@mch/plugin-sdk';
import type { PullCursor } from '@mch/schemas';

/** A cursor value as stored: an ISO timestamp as the marketplace writes it, or a number. */
export type CursorValue = string | number;

/** An ISO 8601 timestamp without a zone is UTC (WooCommerce's `date_modified_gmt`). */
function isoMs(value: string): number {
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) || !value.includes('T') ? value : `${value}Z`;
  return Date.parse(zoned);
}

/** The value of `cursor.field` of one record as a comparable number, or a ConfigError saying why not. */
export function cursorNumber(cursor: PullCursor, value: unknown): number {
  const ms =
    cursor.format === 'iso'
      ? typeof value === 'string'
        ? isoMs(value)
        : Number.NaN
      : typeof value === 'number' || typeof value === 'string'
        ? Number(value)
        : Number.NaN;
  if (Number.isFinite(ms) && !(typeof value === 'string' && value.trim() === '')) return ms;
  const want = cursor.format === 'iso' ? 'an ISO 8601 timestamp' : 'a number';
  throw new ConfigError(
    `A record's pull.cursor.field (${JSON.stringify(cursor.field)}) gave ${JSON.stringify(value)}, which is not ${want}; fix pull.cursor.field or pull.cursor.format in the manifest.`,
  );
}

/** The highest of the values seen, as written by the marketplace; records without one are left out. */
export function highest(cursor: PullCursor, values: readonly unknown[]): CursorValue | undefined {
  let best: { value: CursorValue; at: number } | undefined;
  for (const value of values) {
    if (value === undefined || value === null) continue;
    const at = cursorNumber(cursor, value);
    if (!best || at > best.at) best = { value: value as CursorValue, at };
  }
  return best?.value;
}

/**
 * What to store after a successful run: the highest value seen minus `lookbackSeconds` (an overlap,
 * so a record written late with an earlier time is read again; upserts are idempotent), written in
 * the shape the marketplace used, never behind what was stored before.
 */
export function nextCursor(options: {
  cursor: PullCursor;
  seen: CursorValue | undefined;
  stored: CursorValue | undefined;
}): CursorValue | undefined {
  const { cursor, seen, stored } = options;
  if (seen === undefined) return stored;
  let next: CursorValue;
  if (cursor.format === 'number') {
    next = Number(seen) - cursor.lookbackSeconds;
  } else {
    const sample = String(seen);
    let text = new Date(isoMs(sample) - cursor.lookbackSeconds * 1000).toISOString();
    if (!/[.,]\d+/.test(sample)) text = text.replace(/\.\d+Z$/, 'Z');
    if (!/(?:Z|[+-]\d{2}:?\d{2})$/i.test(sample)) text = text.replace(/Z$/, '');
    next = text;
  }
  if (stored !== undefined && cursorNumber(cursor, stored) > cursorNumber(cursor, next)) return stored;
  return next;
}
