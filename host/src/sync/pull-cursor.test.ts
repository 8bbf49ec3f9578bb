import { PullCursorSchema } from '@mch/schemas';
import { describe, expect, it } from 'vitest';
import { highest, nextCursor } from './pull-cursor.ts';

const iso = PullCursorSchema.parse({ field: 'date_modified_gmt', format: 'iso', lookbackSeconds: 60 });
const numeric = PullCursorSchema.parse({ field: 'updated', format: 'number', lookbackSeconds: 10 });

describe('pull cursor', () => {
  it('ISO values compare as instants, a value without a zone being UTC', () => {
    // 12:30+02:00 is 10:30 UTC, later than 10:00 written without a zone.
    expect(
      highest(iso, ['2026-11-01T10:00:00', '2026-11-01T09:59:59Z', undefined, '2026-11-01T12:30:00+02:00']),
    ).toBe('2026-11-01T12:30:00+02:00');
    expect(highest(iso, ['2026-11-01T10:00:00', '2026-11-01T11:00:00+00:00'])).toBe(
      '2026-11-01T11:00:00+00:00',
    );
    expect(highest(iso, [])).toBeUndefined();
  });

  it('numbers compare as numbers, not as text', () => {
    expect(highest(numeric, [9, '10', 2])).toBe('10');
  });

  it('stores the highest value minus the lookback, in the shape the marketplace writes', () => {
    expect(nextCursor({ cursor: iso, seen: '2026-11-01T10:00:00', stored: undefined })).toBe(
      '2026-11-01T09:59:00',
    );
    expect(nextCursor({ cursor: iso, seen: '2026-11-01T10:00:00.250Z', stored: undefined })).toBe(
      '2026-11-01T09:59:00.250Z',
    );
    expect(nextCursor({ cursor: iso, seen: '2026-11-01T10:00:00+02:00', stored: undefined })).toBe(
      '2026-11-01T07:59:00Z',
    );
    expect(nextCursor({ cursor: numeric, seen: 1000, stored: undefined })).toBe(990);
  });

  it('never moves back, and keeps the stored value when nothing was seen', () => {
    expect(nextCursor({ cursor: iso, seen: '2026-11-01T10:00:30', stored: '2026-11-01T10:00:00' })).toBe(
      '2026-11-01T10:00:00',
    );
    expect(nextCursor({ cursor: iso, seen: undefined, stored: '2026-11-01T10:00:00' })).toBe(
      '2026-11-01T10:00:00',
    );
  });

  it('refuses a value that is not of the format, saying which field and what to fix', () => {
    expect(() => highest(iso, ['yesterday'])).toThrow(
      'A record\'s pull.cursor.field ("date_modified_gmt") gave "yesterday", which is not an ISO 8601 timestamp; fix pull.cursor.field or pull.cursor.format in the manifest.',
    );
    expect(() => highest(numeric, [{}])).toThrow(/gave \{\}, which is not a number/);
  });
});
