import { baseFaultsSchema } from '@mch/plugin-sdk/sandbox-kit';
import { z } from 'zod';

/**
 * eMAG's fault switches: the kit's (5xx rate, 429 burst, latency, hang) plus
 * `ipNotWhitelisted`, which lets credentials pass but refuses the caller's IP with eMAG's
 * own message, so a client can tell a wrong password, a blocked IP and a rate limit apart
 * (API doc 1.3: "The API needs authorization and has an IP level filtering").
 */
export const emagFaultsSchema = baseFaultsSchema.extend({
  ipNotWhitelisted: z.boolean().default(false),
});

export type EmagFaults = z.output<typeof emagFaultsSchema>;
