import type { SandboxOptions } from '@mch/plugin-sdk/sandbox-kit';
import { z } from 'zod';
export declare const DEFAULT_REDIRECT_URI = "http://127.0.0.1:3000/api/v1/allegro/auth/callback";
/** Allegro-specific options, passed in `SandboxOptions.extra` (all optional). */
export declare const allegroExtraSchema: z.ZodObject<{
    accounts: z.ZodDefault<z.ZodNumber>;
    clientId: z.ZodOptional<z.ZodString>;
    clientSecret: z.ZodOptional<z.ZodString>;
    codeTtlMs: z.ZodDefault<z.ZodNumber>;
    refreshGraceMs: z.ZodDefault<z.ZodNumber>;
    accessTtlSec: z.ZodDefault<z.ZodNumber>;
    refreshTtlSec: z.ZodDefault<z.ZodNumber>;
    rateLimit: z.ZodPrefault<z.ZodObject<{
        limit: z.ZodDefault<z.ZodNumber>;
        windowMs: z.ZodDefault<z.ZodNumber>;
        blockMs: z.ZodDefault<z.ZodNumber>;
    }, z.core.$strip>>;
    invoiceScanMs: z.ZodDefault<z.ZodNumber>;
    invoiceMetadataCooldownMs: z.ZodDefault<z.ZodNumber>;
    liveTradeMs: z.ZodDefault<z.ZodNumber>;
    anchor: z.ZodOptional<z.ZodISODateTime>;
}, z.core.$strict>;
export interface AllegroSandboxConfig extends z.output<typeof allegroExtraSchema> {
    seed: string | number;
    orders: number;
    clientId: string;
    clientSecret: string;
    redirectUri: string;
    rateLimitEnabled: boolean;
    anchorMs: number;
}
export declare function resolveConfig(options: SandboxOptions): AllegroSandboxConfig;
