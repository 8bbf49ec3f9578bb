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
export declare const allegroFaultsSchema: z.ZodObject<{
    errorRate: z.ZodDefault<z.ZodNumber>;
    errorStatus: z.ZodDefault<z.ZodNumber>;
    burst429: z.ZodDefault<z.ZodNumber>;
    rate429: z.ZodDefault<z.ZodNumber>;
    retryAfter429: z.ZodDefault<z.ZodNumber>;
    latencyMs: z.ZodDefault<z.ZodNumber>;
    hangRate: z.ZodDefault<z.ZodNumber>;
    routes: z.ZodDefault<z.ZodArray<z.ZodString>>;
    duplicateEvents: z.ZodDefault<z.ZodNumber>;
    outOfOrderEvents: z.ZodDefault<z.ZodNumber>;
    missingEvents: z.ZodDefault<z.ZodNumber>;
    mergedOrders: z.ZodDefault<z.ZodNumber>;
    revokeAfter: z.ZodDefault<z.ZodNumber>;
    lostAnswers: z.ZodDefault<z.ZodNumber>;
    lostAnswerRoutes: z.ZodDefault<z.ZodArray<z.ZodString>>;
    hangRoutes: z.ZodDefault<z.ZodArray<z.ZodString>>;
    rejectFiles: z.ZodDefault<z.ZodNumber>;
}, z.core.$strip>;
export type AllegroFaults = z.output<typeof allegroFaultsSchema>;
