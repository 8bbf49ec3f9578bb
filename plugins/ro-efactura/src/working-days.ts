/**
 * The RO e-Factura reporting deadline: 5 working days from the issue date (reference README
 * "E-invoicing": working days since 2026, OUG 120/2021 art. 10 as amended), skipping weekends and
 * Romania's public holidays (Codul muncii, Legea 53/2003 art. 139 alin. (1): 1–2 January,
 * 6–7 January (since 2024), 24 January, Orthodox Good Friday, Easter Sunday and Monday, 1 May,
 * 1 June, Orthodox Pentecost Sunday and Monday (Rusalii), 15 August, 30 November, 1 December,
 * 25–26 December). Dates are `YYYY-MM-DD` calendar dates in Romania.
 */

export const REPORTING_WORKING_DAYS = 5;

const iso = (d: Date) => d.toISOString().slice(0, 10);
const utc = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

/** Orthodox Easter Sunday (Gregorian date) by Meeus' Julian algorithm, valid 1900–2099 (+13 days). */
export function orthodoxEaster(year: number): string {
  const a = year % 4;
  const b = year % 7;
  const c = year % 19;
  const d = (19 * c + 15) % 30;
  const e = (2 * a + 4 * b - d + 34) % 7;
  const month = Math.floor((d + e + 114) / 31);
  const day = ((d + e + 114) % 31) + 1;
  return iso(addDays(utc(year, month, day), 13));
}

const cache = new Map<number, ReadonlySet<string>>();

/** Romania's public holidays of a year (art. 139 Codul muncii). */
export function romanianHolidays(year: number): ReadonlySet<string> {
  const known = cache.get(year);
  if (known) return known;
  const easter = new Date(`${orthodoxEaster(year)}T00:00:00Z`);
  const fixed = ['01-01', '01-02', '01-24', '05-01', '06-01', '08-15', '11-30', '12-01', '12-25', '12-26'];
  if (year >= 2024) fixed.push('01-06', '01-07');
  const set = new Set([
    ...fixed.map((md) => `${year}-${md}`),
    iso(addDays(easter, -2)), // Vinerea Mare (since 2018)
    iso(easter),
    iso(addDays(easter, 1)),
    iso(addDays(easter, 49)), // Rusalii
    iso(addDays(easter, 50)),
  ]);
  cache.set(year, set);
  return set;
}

export function isWorkingDay(date: string): boolean {
  const d = new Date(`${date}T00:00:00Z`);
  const dow = d.getUTCDay();
  return dow !== 0 && dow !== 6 && !romanianHolidays(d.getUTCFullYear()).has(date);
}

/** The last day to report a document issued on `issueDate`: its 5th working day after it. */
export function reportingDeadline(issueDate: string, workingDays = REPORTING_WORKING_DAYS): string {
  let d = new Date(`${issueDate}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) throw new Error(`Not a date: ${issueDate}`);
  let left = workingDays;
  while (left > 0) {
    d = addDays(d, 1);
    if (isWorkingDay(iso(d))) left -= 1;
  }
  return iso(d);
}

/** The working day `workingDays` working days before `date` (a non-working `date` counts from itself). */
export function workingDaysBefore(date: string, workingDays: number): string {
  let d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) throw new Error(`Not a date: ${date}`);
  let left = workingDays;
  while (left > 0) {
    d = addDays(d, -1);
    if (isWorkingDay(iso(d))) left -= 1;
  }
  return iso(d);
}

/** Working days before the deadline from which the host shows a document as "due soon". */
export const WARN_WORKING_DAYS = 2;

/**
 * The SDK `ClearanceResult.due` of a document issued on `issueDate`: its reporting deadline and the
 * day the host starts alerting (2 working days before), both Romanian calendar dates.
 */
export function reportingDue(issueDate: string): { by: string; warnFrom: string; timeZone: string } {
  const by = reportingDeadline(issueDate);
  return { by, warnFrom: workingDaysBefore(by, WARN_WORKING_DAYS), timeZone: 'Europe/Bucharest' };
}

/** Working days from `today` until `deadline` (0 on the day itself, negative once it passed). */
export function workingDaysLeft(deadline: string, today: string): number {
  if (today === deadline) return 0;
  const forward = today < deadline;
  let d = new Date(`${forward ? today : deadline}T00:00:00Z`);
  const end = forward ? deadline : today;
  let n = 0;
  while (iso(d) < end) {
    d = addDays(d, 1);
    if (isWorkingDay(iso(d))) n += 1;
  }
  return forward ? n : -n;
}

/** The document's urgency: `overdue` after the deadline, `due-soon` when at most 1 working day is left. */
export function deadlineState(deadline: string, today: string): 'overdue' | 'due-soon' | 'on-time' {
  if (today > deadline) return 'overdue';
  return workingDaysLeft(deadline, today) <= 1 ? 'due-soon' : 'on-time';
}

/** Today's date in Romania (Europe/Bucharest). */
export function romanianToday(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Bucharest' }).format(now);
}
