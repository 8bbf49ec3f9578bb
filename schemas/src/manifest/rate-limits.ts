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

/**
 * What the API says about its budget in every answer (issue 14: "leaky bucket read from headers"):
 * the requests left in its window (`X-RateLimit-Remaining` with `X-RateLimit-Reset`, the IETF
 * draft's `RateLimit-Remaining`/`RateLimit-Reset`), or a leaky bucket's fill (`X-Shopify-Shop-
 * Api-Call-Limit: 32/40`). When it runs low the group waits — every process, as after a 429 —
 * until the window resets or enough has leaked out, before the API has to refuse anything.
 */
export const RateHeadersSchema = z
  .strictObject({
    remaining: nonEmpty
      .optional()
      .describe('Header with the requests left in the current window, e.g. "X-RateLimit-Remaining".'),
    reset: nonEmpty
      .optional()
      .describe(
        'Header saying when the window starts again: seconds from now, or a Unix time in seconds, e.g. "X-RateLimit-Reset".',
      ),
    bucket: nonEmpty
      .optional()
      .describe('Header with a leaky bucket\'s fill as "used/size", e.g. "X-Shopify-Shop-Api-Call-Limit".'),
    leakPerSecond: z
      .number()
      .positive()
      .optional()
      .describe(
        "How many requests a second the bucket lets out (with bucket); default the group's limit/per.",
      ),
    keep: z
      .number()
      .int()
      .min(0)
      .default(1)
      .describe('Requests kept in hand: with this many left or fewer, the group waits.'),
  })
  .superRefine((value, context) => {
    if (value.remaining === undefined && value.bucket === undefined)
      context.addIssue({
        code: 'custom',
        message:
          "names no header to read: give 'remaining' (requests left) or 'bucket' (a leaky bucket's used/size)",
      });
    if (value.reset !== undefined && value.remaining === undefined)
      context.addIssue({
        code: 'custom',
        path: ['reset'],
        message: "is read with 'remaining'; name that header too",
      });
    if (value.leakPerSecond !== undefined && value.bucket === undefined)
      context.addIssue({
        code: 'custom',
        path: ['leakPerSecond'],
        message: "is for a leaky bucket; name its 'bucket' header",
      });
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
  /** The budget the API reports in its answers' headers, followed as well as `limit`/`per`. */
  fromHeaders: RateHeadersSchema.optional().describe(
    "The budget the API reports in each answer's headers (requests left and reset, or a leaky bucket's fill): the group waits when it runs low.",
  ),
  /** Budget per connected account, or shared by every account of the OAuth client. */
  scope: z.enum(['account', 'client']).default('account'),
  /** How long the marketplace blocks after the limit is exceeded. */
  blockSeconds: z.number().min(0).optional(),
  /** Config variable that overrides `limit` (the further `windows` scale alike), e.g. 'EMAG_RATE_LIMIT_ORDERS'. */
  configOverride: envName.optional(),
});

export type RateLimit = z.infer<typeof RateLimitSchema>;
