import type { ClearanceDue } from '@mch/plugin-sdk';

/**
 * Reporting deadlines of cleared documents (SDK `ClearanceResult.due`): the dates a clearance
 * plugin gives are read in the authority's time zone, so "due soon" and "overdue" flip at the
 * authority's midnight, not the server's.
 */

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Today's date (`YYYY-MM-DD`) in an IANA zone; null for a zone this runtime does not know. */
export function todayIn(timeZone: string, now = new Date()): string | null {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone }).format(now);
  } catch {
    return null;
  }
}

/** A deadline fit to keep: both dates well-formed, the warning not after the deadline, a known zone. */
export function validDue(due: unknown): ClearanceDue | null {
  const d = due as Partial<ClearanceDue> | null | undefined;
  if (!d || typeof d.by !== 'string' || typeof d.warnFrom !== 'string' || typeof d.timeZone !== 'string')
    return null;
  if (!DATE.test(d.by) || !DATE.test(d.warnFrom) || d.warnFrom > d.by || !todayIn(d.timeZone)) return null;
  return { by: d.by, warnFrom: d.warnFrom, timeZone: d.timeZone };
}

/** How near the deadline is for a document not yet accepted: past, near (from `warnFrom`), or neither. */
export function dueAttention(due: ClearanceDue, now = new Date()): 'overdue' | 'due-soon' | null {
  const today = todayIn(due.timeZone, now);
  if (!today) return null;
  if (today > due.by) return 'overdue';
  return today >= due.warnFrom ? 'due-soon' : null;
}
