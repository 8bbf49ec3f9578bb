import type { RateLimit } from '@mch/schemas';
import type { RateRule } from './rate-limiter.ts';

export interface RateRuleContext {
  pluginId: string;
  /** Bucket of `scope: account` groups: the connected account (its integration id). */
  accountKey: string;
  /** Bucket of `scope: client` groups: the OAuth client id, shared by all accounts. */
  clientKey: string;
  config: Readonly<Record<string, string | undefined>>;
}

/**
 * Picks the manifest rate group of a request: an explicit `rateGroup` hint (group name or
 * resource), else the first group whose path prefix or regex matches, else the group without
 * `match` (the default budget, e.g. eMAG's "everything else").
 */
export function findRateGroup(options: {
  limits: readonly RateLimit[];
  path: string;
  hint?: string | undefined;
}): RateLimit | undefined {
  const { limits, path, hint } = options;
  if (hint) {
    const byHint = limits.find((l) => l.group === hint || l.match?.resources?.includes(hint));
    if (byHint) return byHint;
  }
  const matched = limits.find(
    (l) =>
      l.match?.paths?.some((prefix) => path.startsWith(prefix)) ||
      l.match?.regex?.some((source) => new RegExp(source).test(path)),
  );
  return matched ?? limits.find((l) => !l.match);
}

/**
 * The bucket and budget one request consumes; a config override (e.g. EMAG_RATE_LIMIT_ORDERS) wins
 * and scales the further windows alike.
 */
export function toRateRule(limit: RateLimit, context: RateRuleContext): RateRule | undefined {
  // Requests the API does not limit (manifest `unlimited`); the manifest check makes sure the
  // others have both limit and per.
  if (limit.unlimited || limit.limit === undefined || limit.per === undefined) return undefined;
  const override = limit.configOverride ? Number(context.config[limit.configOverride]) : NaN;
  const scopeKey = limit.scope === 'client' ? `client:${context.clientKey}` : `account:${context.accountKey}`;
  const budget = Number.isFinite(override) && override > 0 ? override : limit.limit;
  // An override stands for an environment with other limits (KSeF's test environment: 10× each):
  // the further windows scale with it.
  const scale = budget / limit.limit;
  return {
    key: `${context.pluginId}:${limit.group}:${scopeKey}`,
    limit: budget,
    perSeconds: limit.per,
    ...(limit.windows?.length
      ? {
          windows: limit.windows.map((w) => ({
            limit: Math.max(1, Math.round(w.limit * scale)),
            perSeconds: w.per,
          })),
        }
      : {}),
    ...(limit.spacing === 'sliding' ? { spacing: 'sliding' as const } : {}),
    ...(limit.blockSeconds === undefined ? {} : { blockMs: limit.blockSeconds * 1000 }),
    ...(limit.fromHeaders
      ? {
          fromHeaders: {
            ...limit.fromHeaders,
            keep: limit.fromHeaders.keep ?? 1,
            leakPerSecond: limit.fromHeaders.leakPerSecond ?? budget / limit.per,
          },
        }
      : {}),
  };
}

/**
 * How long a group should wait after an answer, from the budget the API reported in its headers
 * (`RateRule.fromHeaders`); 0 while more than `keep` requests are left or the headers say nothing.
 * A leaky bucket waits until enough has leaked out to leave `keep` free; a window, until the
 * reset it names (seconds from now, or a Unix time), else a second.
 */
export function headerWaitMs(
  rule: RateRule,
  header: (name: string) => string | null,
  now = Date.now(),
): number {
  const spec = rule.fromHeaders;
  if (!spec) return 0;
  if (spec.bucket) {
    const match = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(header(spec.bucket) ?? '');
    if (match) {
      const left = Number(match[2]) - Number(match[1]);
      if (left > spec.keep) return 0;
      return Math.ceil(
        ((spec.keep - left + 1) / (spec.leakPerSecond ?? rule.limit / rule.perSeconds)) * 1000,
      );
    }
  }
  if (spec.remaining) {
    const number = (name: string | undefined) => {
      const text = name ? header(name) : null;
      return text === null || text.trim() === '' ? Number.NaN : Number(text);
    };
    const left = number(spec.remaining);
    if (!Number.isFinite(left) || left > spec.keep) return 0;
    const reset = number(spec.reset);
    if (!Number.isFinite(reset)) return 1000;
    // Large values are Unix times (seconds); small ones, seconds from now.
    return Math.max(0, Math.ceil(reset > 1e9 ? reset * 1000 - now : reset * 1000));
  }
  return 0;
}
