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

/** One more window the same requests count against: at most `limit` in any `per` seconds. */
export const RateWindowSchema = z.strictObject({
  limit: z.number().int().min(1),
  per: z.number().positive(),
});

export const RateLimitSchema = z.strictObject({
  group: localId,
  match: RateMatchSchema.optional(),
  /** Required unless `unlimited`. */
  limit: z.number().int().min(1).optional(),
  /** Window length in seconds. Required unless `unlimited`. */
  per: z.number().positive().optional(),
  /**
   * The API does not limit these requests (KSeF's storage links for batch parts and UPOs are
   * outside its limits, sesja-wsadowa.md): they are not held back, nor counted in another group.
   */
  unlimited: z
    .boolean()
    .optional()
    .describe('These requests are not limited by the API (no limit or per then).'),
  /**
   * Further windows every request of the group also counts against, all at once (KSeF: 10 a
   * second, 30 a minute and 120 an hour, limity-api.md).
   */
  windows: z
    .array(RateWindowSchema)
    .optional()
    .describe('Further limits on the same requests, e.g. also 10 a second and 120 an hour.'),
  /**
   * How requests leave. `even` (default): spaced evenly at the tightest window's pace, for
   * marketplaces that count in fixed windows or punish bursts. `sliding`: at once while every
   * window has room, for APIs that count in sliding windows and allow bursts (KSeF).
   */
  spacing: z
    .enum(['even', 'sliding'])
    .default('even')
    .describe(
      'even: requests leave evenly spaced; sliding: requests go at once while no window of any limit is full.',
    ),
  /** Budget per connected account, or shared by every account of the OAuth client. */
  scope: z.enum(['account', 'client']).default('account'),
  /** How long the marketplace blocks after the limit is exceeded. */
  blockSeconds: z.number().min(0).optional(),
  /** Config variable that overrides `limit` (the further `windows` scale alike), e.g. 'EMAG_RATE_LIMIT_ORDERS'. */
  configOverride: envName.optional(),
});

export type RateLimit = z.infer<typeof RateLimitSchema>;
