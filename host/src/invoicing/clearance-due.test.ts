import { describe, expect, it } from 'vitest';
import { dueAttention, todayIn, validDue } from './clearance-due.ts';

describe('clearance deadlines', () => {
  it('reads today in the authority’s zone: Bucharest is already on the next day at 23:30 UTC', () => {
    const late = new Date('2026-12-07T23:30:00Z');
    expect(todayIn('UTC', late)).toBe('2026-12-07');
    expect(todayIn('Europe/Bucharest', late)).toBe('2026-12-08');
    expect(todayIn('Mars/Olympus', late)).toBeNull();
  });

  it('keeps only a deadline it can read', () => {
    const due = { by: '2026-12-10', warnFrom: '2026-12-08', timeZone: 'Europe/Bucharest' };
    expect(validDue(due)).toEqual(due);
    expect(validDue({ ...due, by: '10.12.2026' })).toBeNull();
    expect(validDue({ ...due, warnFrom: '2026-12-11' })).toBeNull();
    expect(validDue({ ...due, timeZone: 'Mars/Olympus' })).toBeNull();
    expect(validDue(undefined)).toBeNull();
  });

  it('is due soon from warnFrom, overdue the day after the deadline — by the authority’s clock', () => {
    const due = { by: '2026-12-10', warnFrom: '2026-12-08', timeZone: 'Europe/Bucharest' };
    expect(dueAttention(due, new Date('2026-12-07T12:00:00Z'))).toBeNull();
    expect(dueAttention(due, new Date('2026-12-07T22:30:00Z'))).toBe('due-soon');
    expect(dueAttention(due, new Date('2026-12-10T21:00:00Z'))).toBe('due-soon');
    expect(dueAttention(due, new Date('2026-12-10T22:30:00Z'))).toBe('overdue');
  });
});
