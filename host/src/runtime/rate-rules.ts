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
  };
}
