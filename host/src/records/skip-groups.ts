import type { HoldReason } from './issuance.ts';

/**
 * Why records were skipped, in a few words shared by every record skipped for the same cause: a
 * run counts its skips by these ("64 skipped: 40 not paid yet, 24 …", issue 13). The per-record
 * reason beside each says the details (which order, which line).
 */
export const SKIP_GROUP = {
  repeat: 'processed before without an invoice',
  raced: 'changed by another sync at the same moment',
  unmapped: 'could not be turned into an invoice',
  cancelled: 'cancelled before it was invoiced',
  invoicingOff: 'invoicing is switched off',
  notRequested: 'the buyer did not ask for an invoice',
  noInvoice: 'no invoice was due',
  waitingForInvoice: "waiting for the order's invoice",
  nothingLeft: 'the invoice is already corrected to zero',
  correctionRefused: 'a correction the invoice does not allow',
} as const;

const HELD: Record<HoldReason, string> = {
  company_incomplete: "held: the company's details are incomplete",
  vat_rate: 'held: a VAT rate is not valid',
  exchange_rate: 'held: no exchange rate yet',
};

export const heldGroup = (reason: HoldReason): string => HELD[reason];
