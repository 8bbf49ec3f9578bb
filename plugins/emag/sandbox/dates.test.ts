import { describe, expect, it } from 'vitest';
import { formatDate, parseDate } from './dates.ts';

describe('eMAG dates (Europe/Bucharest wall time)', () => {
  it('formats an instant in Bucharest time, summer and winter', () => {
    expect(formatDate(Date.parse('2026-07-01T10:00:00Z'))).toBe('2026-07-01 13:00:00');
    expect(formatDate(Date.parse('2026-01-15T10:00:00Z'))).toBe('2026-01-15 12:00:00');
  });

  it('parses what it formats, across the DST change', () => {
    for (const iso of [
      '2026-03-29T00:30:00Z',
      '2026-03-29T01:30:00Z',
      '2026-10-24T23:30:00Z',
      '2026-10-25T02:30:00Z',
      '2026-06-01T23:59:59Z',
    ]) {
      const ms = Date.parse(iso);
      expect(parseDate(formatDate(ms))).toBe(ms);
    }
    expect(parseDate('2026-07-01')).toBe(Date.parse('2026-06-30T21:00:00Z'));
    expect(parseDate('01/07/2026')).toBeUndefined();
  });
});
