import type { Clearance } from './api-types.ts';
import { formatDay } from './format.ts';

// A document's clearance by a tax authority (KSeF, RO e-Factura…) in plain words: what happened
// and what, if anything, the seller has to do. The authority is named by its title.

/** The clearance filter's choices, as the invoice workspace offers them. */
export const CLEARANCE_CHOICES = [
  { value: 'due', label: 'Due for reporting (deadline near or past)' },
  { value: 'none', label: 'Not sent to a tax authority' },
  { value: 'held', label: 'Held, not sent (needs you)' },
  { value: 'pending', label: 'Waiting to be sent (held ones included)' },
  { value: 'sent', label: 'Sent, waiting for the answer' },
  { value: 'accepted', label: 'Accepted' },
  { value: 'rejected', label: 'Rejected' },
  { value: 'offline', label: 'Issued offline, to be sent' },
] as const;
export type ClearanceChoice = (typeof CLEARANCE_CHOICES)[number]['value'];

/** A short label of the state for a table cell. */
export function clearanceLabel(clearance: Clearance): string {
  switch (clearance.status) {
    case 'pending':
      return clearance.errors.length > 0 ? 'Held, not sent' : 'Waiting to be sent';
    case 'sent':
      return 'Sent, waiting for the answer';
    case 'accepted':
      return 'Accepted';
    case 'rejected':
      return 'Rejected';
    case 'offline':
      return 'Issued offline, to be sent';
  }
}

/** One sentence: what happened with the authority and what to do about it. */
export function clearanceSentence(clearance: Clearance): string {
  const who = clearance.authorityTitle || clearance.authority || 'the tax authority';
  switch (clearance.status) {
    case 'pending':
      return clearance.errors.length > 0
        ? `Held: not sent to ${who} because of the problems listed below; each says what to do.`
        : `Waiting to be sent to ${who}. Nothing to do yet.`;
    case 'sent':
      return `Sent to ${who}; waiting for its answer. Nothing to do yet.`;
    case 'accepted':
      return clearance.number
        ? `Accepted by ${who} under number ${clearance.number}.`
        : `Accepted by ${who}.`;
    case 'rejected':
      return `Rejected by ${who} for the reasons listed below. Fix the data they name, then issue a correction or a new document.`;
    case 'offline':
      return `Issued while ${who} could not be reached; it is sent once ${who} answers again.`;
  }
}

/** The deadline with its urgency, or null when the authority gave none. */
export function deadlineText(clearance: Clearance): string | null {
  if (!clearance.deadline) return null;
  const day = formatDay(clearance.deadline);
  const who = clearance.authorityTitle || clearance.authority || 'the tax authority';
  if (clearance.attention === 'overdue') return `Overdue: it had to reach ${who} by ${day}. Report it now.`;
  if (clearance.attention === 'due-soon') return `Due soon: it must reach ${who} by ${day}.`;
  return clearance.status === 'accepted' ? `It was due by ${day}.` : `Must reach ${who} by ${day}.`;
}

/** The marker beside a deadline: "Overdue", "Due soon" or nothing. */
export function attentionLabel(clearance: Clearance | null): string | null {
  if (clearance?.attention === 'overdue') return 'Overdue';
  if (clearance?.attention === 'due-soon') return 'Due soon';
  return null;
}
