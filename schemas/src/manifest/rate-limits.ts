import { z } from 'zod';
import { envName, localId, nonEmpty } from '../patterns.ts';

/**
 * Which requests a rate group covers. A group without `match` is the default group for every
 * request no other group matches (eMAG: "everything else 3 req/s").
 */
export const RateMatchSchema = z.strictObject({
  /** Path prefixes, e.g. '/order/' . */
  paths: z.array(nonEmpty).optional(),
  /** Regular expressions tested against the request path. */
  regex: z.array(nonEmpty).optional(),
  /** Resource names a hook passes as `rateGroup` hints, e.g. 'order'. */
  resources: z.array(nonEmpty).optional(),
});

export const RateLimitSchema = z.strictObject({
  group: localId,
  match: RateMatchSchema.optional(),
  limit: z.number().int().min(1),
  /** Window length in seconds. */
  per: z.number().positive(),
  /** Budget per connected account, or shared by every account of the OAuth client. */
  scope: z.enum(['account', 'client']).default('account'),
  /** How long the marketplace blocks after the limit is exceeded. */
  blockSeconds: z.number().min(0).optional(),
  /** Config variable that overrides `limit`, e.g. 'EMAG_RATE_LIMIT_ORDERS'. */
  configOverride: envName.optional(),
});

export type RateLimit = z.infer<typeof RateLimitSchema>;
