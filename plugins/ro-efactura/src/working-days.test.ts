import { describe, expect, it } from 'vitest';
import {
  deadlineState,
  isWorkingDay,
  orthodoxEaster,
  reportingDeadline,
  romanianHolidays,
  reportingDue,
  romanianToday,
  workingDaysBefore,
  workingDaysLeft,
} from './working-days.ts';

describe('Romanian working days', () => {
  it('computes Orthodox Easter (published dates)', () => {
    expect(orthodoxEaster(2024)).toBe('2024-05-05');
    expect(orthodoxEaster(2025)).toBe('2025-04-20');
    expect(orthodoxEaster(2026)).toBe('2026-04-12');
    expect(orthodoxEaster(2027)).toBe('2027-05-02');
  });

  it('knows Good Friday, Easter Monday and Pentecost Monday as holidays', () => {
    const h = romanianHolidays(2026);
    expect(
      [...h]
        .filter((d) => d.startsWith('2026-04') || d.startsWith('2026-05') || d.startsWith('2026-06'))
        .sort(),
    ).toEqual(['2026-04-10', '2026-04-12', '2026-04-13', '2026-05-01', '2026-05-31', '2026-06-01']);
    expect(h.has('2026-01-06') && h.has('2026-01-07') && h.has('2026-01-24')).toBe(true);
    // 12 fixed + 5 movable, Pentecost Monday 2026 falling on 1 June.
    expect(h.size).toBe(16);
  });

  it('a plain week: issued Thursday, due the next Thursday (one weekend skipped)', () => {
    expect(reportingDeadline('2026-12-03')).toBe('2026-12-10');
  });

  it('a weekend and two public holidays (30 November, 1 December) push the deadline', () => {
    // Fri 27 Nov 2026 → Sat, Sun skipped, Mon 30 Nov (St Andrew) and Tue 1 Dec (National Day) skipped.
    expect(isWorkingDay('2026-11-30')).toBe(false);
    expect(reportingDeadline('2026-11-27')).toBe('2026-12-08');
  });

  it('Orthodox Easter: issued Thursday 9 April 2026, Good Friday and Easter Monday skipped', () => {
    expect(reportingDeadline('2026-04-09')).toBe('2026-04-20');
  });

  it('Christmas and the New Year across a year end', () => {
    // Wed 23 Dec 2026: 24 (1), 25–26 holidays, 27 Sun, 28 (2), 29 (3), 30 (4), 31 (5).
    expect(reportingDeadline('2026-12-23')).toBe('2026-12-31');
    // Tue 29 Dec: 30 (1), 31 (2), 1–2 Jan holidays, 3 Sun, 4 (3), 5 (4), 6–7 holidays, 8 (5).
    expect(reportingDeadline('2026-12-29')).toBe('2027-01-08');
  });

  it('counts working days left and says when to alert', () => {
    expect(workingDaysLeft('2026-12-08', '2026-11-27')).toBe(5);
    expect(workingDaysLeft('2026-12-08', '2026-12-07')).toBe(1);
    expect(deadlineState('2026-12-08', '2026-12-02')).toBe('on-time');
    expect(deadlineState('2026-12-08', '2026-12-07')).toBe('due-soon');
    expect(deadlineState('2026-12-08', '2026-12-08')).toBe('due-soon');
    expect(deadlineState('2026-12-08', '2026-12-09')).toBe('overdue');
  });

  it('warns from 2 working days before the deadline, across a weekend', () => {
    // Issued Thu 3 Dec 2026, due Thu 10 Dec; warned from Tue 8 Dec.
    expect(reportingDue('2026-12-03')).toEqual({
      by: '2026-12-10',
      warnFrom: '2026-12-08',
      timeZone: 'Europe/Bucharest',
    });
    // Due Tue 8 Dec: Mon 7 Dec, then over the weekend to Fri 4 Dec.
    expect(workingDaysBefore('2026-12-08', 2)).toBe('2026-12-04');
    expect(reportingDue('2026-11-27').warnFrom).toBe('2026-12-04');
  });

  it('warns from 2 working days before the deadline, across public holidays', () => {
    // Due Wed 2 Dec 2026: Tue 1 Dec and Mon 30 Nov are holidays, then the weekend: Fri 27, Thu 26 Nov.
    expect(workingDaysBefore('2026-12-02', 2)).toBe('2026-11-26');
    // Issued Thu 9 Apr 2026 (Orthodox Easter), due Mon 20 Apr: Fri 17, Thu 16 Apr.
    expect(reportingDue('2026-04-09')).toMatchObject({ by: '2026-04-20', warnFrom: '2026-04-16' });
    // Due Fri 8 Jan 2027: Thu 7 and Wed 6 (Epiphany, St John) are holidays; Tue 5, Mon 4.
    expect(reportingDue('2026-12-29')).toMatchObject({ by: '2027-01-08', warnFrom: '2027-01-04' });
  });

  it('reads today in Romania’s time zone', () => {
    expect(romanianToday(new Date('2026-12-03T22:30:00Z'))).toBe('2026-12-04');
  });
});
