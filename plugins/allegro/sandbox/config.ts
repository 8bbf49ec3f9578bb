import { createHash } from 'node:crypto';
import type { SandboxOptions } from '@mch/plugin-sdk/sandbox-kit';
import { z } from 'zod';

export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1:3000/api/v1/allegro/auth/callback';

/** Allegro-specific options, passed in `SandboxOptions.extra` (all optional). */
export const allegroExtraSchema = z
  .object({
    /** Number of seller accounts on the authorize page (each gets `orders` orders). */
    accounts: z.number().int().min(1).max(20).default(3),
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    /** Authorization codes expire after this long (Allegro: about 10 s). */
    codeTtlMs: z.number().int().min(1).default(10_000),
    /** A used refresh token keeps working this long (Allegro: about 60 s). */
    refreshGraceMs: z.number().int().min(0).default(60_000),
    /** Access token lifetime (Allegro: 43199 s, ~12 h). */
    accessTtlSec: z.number().int().min(1).default(43_199),
    /** Refresh token lifetime (Allegro: 3 months). */
    refreshTtlSec: z
      .number()
      .int()
      .min(1)
      .default(90 * 24 * 3600),
    /**
     * Per-client-id limit (Allegro: 9000 requests/min, then blocked; every request sent during the
     * block lengthens it — see sandbox/rate-limit.ts).
     */
    rateLimit: z
      .object({
        limit: z.number().int().min(1).default(9000),
        windowMs: z.number().int().min(1).default(60_000),
        blockMs: z.number().int().min(0).default(60_000),
      })
      .prefault({}),
    /**
     * How long Allegro's virus scan of an uploaded invoice file takes (securityVerification WAITING,
     * then ACCEPTED or REJECTED; a few seconds in practice, allegro-api #8507, #12721).
     */
    invoiceScanMs: z.number().int().min(0).default(2_000),
    /**
     * A second invoice's metadata within this long of one still without a file is refused with 429
     * (OpenAPI POST …/invoices 429: "wait a few seconds before adding next metadata").
     */
    invoiceMetadataCooldownMs: z.number().int().min(0).default(3_000),
    /**
     * A payment refund reads NEW for this long, then SUCCESS (`GET /payments/refunds`; the POST
     * answers NEW, allegro-api #3731).
     */
    refundSettleMs: z.number().int().min(0).default(1_000),
    /**
     * Customer returns each account starts with: the newest paid, sent orders get one return of
     * one line each (made on the first use of a returns or refunds route).
     */
    seededReturns: z.number().int().min(0).max(1_000).default(4),
    /** Open a customer return (DELIVERED) on a random sent order of a random account every N ms (demo); 0 = off. */
    returnEveryMs: z.number().int().min(0).default(0),
    /**
     * Demo: every N ms a buyer cancels the newest order not sent yet (round-robin over accounts;
     * BUYER_CANCELLED after READY_FOR_PROCESSING, reference/README.md "Orders"); 0 = off.
     */
    buyerCancelEveryMs: z.number().int().min(0).default(0),
    /** Add one new order to a random account every N ms (demo "live trade"); 0 = off. */
    liveTradeMs: z.number().int().min(0).default(0),
    /** The sandbox clock's start: seeded orders end here (ISO date; default now). */
    anchor: z.iso.datetime().optional(),
  })
  .strict();

export interface AllegroSandboxConfig extends z.output<typeof allegroExtraSchema> {
  seed: string | number;
  orders: number;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  rateLimitEnabled: boolean;
  anchorMs: number;
}

export function resolveConfig(options: SandboxOptions): AllegroSandboxConfig {
  const parsed = allegroExtraSchema.safeParse(options.extra ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`Invalid Allegro sandbox options (extra): ${issues}`);
  }
  const seed = options.seed ?? 'allegro';
  const digest = createHash('sha256')
    .update(`allegro-sandbox:${String(seed)}`)
    .digest('hex');
  return {
    ...parsed.data,
    seed,
    orders: options.orders ?? 50,
    // Deterministic per seed, so a restarted sandbox accepts the same credentials.
    clientId: parsed.data.clientId ?? digest.slice(0, 32),
    clientSecret: parsed.data.clientSecret ?? digest.slice(32, 64),
    redirectUri: options.redirectUri ?? DEFAULT_REDIRECT_URI,
    rateLimitEnabled: options.rateLimit !== false,
    anchorMs: parsed.data.anchor ? Date.parse(parsed.data.anchor) : Math.floor(Date.now() / 1000) * 1000,
  };
}
