import { baseFaultsSchema } from '@mch/plugin-sdk/sandbox-kit';
import { z } from 'zod';

/**
 * Allegro's fault switches: the kit's (5xx rate, 429 bursts, latency, hangs) plus the event-log
 * misbehaviours the Allegro docs warn about (events may repeat, arrive out of order or go missing;
 * reference/README.md "Orders"). Rates are fractions 0–1, decided per event/order from the seed.
 * `mergedOrders`: this many recent seeded orders per account were merged by their buyers — their
 * forms 404, a new form (with events) replaces each; raising it merges more, it never un-merges.
 * `revokeAfter`: the Nth API request from now finds every token revoked (the seller withdrew
 * consent mid-sync; counts down to 0 = off).
 * Token revocation and merging one given form are also actions: `POST /__sandbox/revoke`, `POST /__sandbox/merge`.
 * `lostAnswers`/`lostAnswerRoutes`: effects whose answers never arrive. `rejectFiles`: the virus
 * scan's REJECTED verdicts.
 */
export const allegroFaultsSchema = baseFaultsSchema.extend({
  duplicateEvents: z.number().min(0).max(1).default(0),
  outOfOrderEvents: z.number().min(0).max(1).default(0),
  missingEvents: z.number().min(0).max(1).default(0),
  mergedOrders: z.number().int().min(0).max(10_000).default(0),
  revokeAfter: z.number().int().min(0).default(0),
  /**
   * Lost answers: the next N requests matching `lostAnswerRoutes` take effect, then their
   * connection is dropped before the answer (a timeout or a proxy failure seen from the client).
   */
  lostAnswers: z.number().int().min(0).default(0),
  /** `METHOD /route/pattern` keys, e.g. `POST /order/checkout-forms/:id/invoices`; empty = every API route. */
  lostAnswerRoutes: z.array(z.string()).default([]),
  /** Requests matching these `METHOD /route/pattern` keys never get an answer (a process killed mid-call). */
  hangRoutes: z.array(z.string()).default([]),
  /** Fraction (0–1) of uploaded invoice files the virus scan rejects (securityVerification REJECTED). */
  rejectFiles: z.number().min(0).max(1).default(0),
});

export type AllegroFaults = z.output<typeof allegroFaultsSchema>;
