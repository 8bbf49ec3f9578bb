import { setTimeout as sleep } from 'node:timers/promises';
import type { RateLimit } from '@mch/schemas';
import {
  AuthError,
  RetryableError,
  type HttpRequest,
  type HttpResponse,
  type Logger,
  type PluginHttp,
} from '@mch/plugin-sdk';
import type { RateLimiter } from './rate-limiter.ts';
import { findRateGroup, headerWaitMs, toRateRule, type RateRuleContext } from './rate-rules.ts';

/** How a request gets its credentials: bearer token (refreshed ahead of expiry) or Basic. */
export interface RequestAuthorizer {
  headers(): Promise<Record<string, string>>;
  /** Called once after a 401: refresh if possible; false when nothing can help (→ AuthError). */
  recover(): Promise<boolean>;
  /** Query parameters every request carries (an API key sent in the query). */
  query?(): Promise<Record<string, string>>;
}

export interface CreatePluginHttpOptions {
  baseUrl: string;
  defaultHeaders: Record<string, string>;
  authorizer: RequestAuthorizer;
  limiter: RateLimiter;
  rateLimits: readonly RateLimit[];
  rateContext: RateRuleContext;
  log: Logger;
  signal: AbortSignal;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** How many 429s in a row one request may absorb before the run gives up (RetryableError). */
  max429?: number;
  /** Multiplies the pauses before retrying a failed idempotent call (tests shorten them; default 1). */
  retryDelayScale?: number;
}

const RETRY_DELAYS_MS = [200, 800, 2000];

function toQueryString(query: HttpRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * Retry-After (seconds or HTTP date), else the marketplace's reset headers
 * (`X-RateLimit-Reset`, eMAG's `X-RateLimit-*-3second` family), else `fallbackMs` (one second).
 */
export function retryAfterMs(headers: Headers, fallbackMs = 1000): number {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const at = Date.parse(retryAfter);
    if (Number.isFinite(at)) return Math.max(0, at - Date.now());
  }
  for (const [name, value] of headers) {
    if (/^x-ratelimit-.*reset/i.test(name)) {
      const n = Number(value);
      if (Number.isFinite(n)) return n > 1e9 ? Math.max(0, n * 1000 - Date.now()) : n * 1000;
    }
  }
  return fallbackMs;
}

function encodeBody(request: HttpRequest): { body?: string | Uint8Array; contentType?: string } {
  if (request.json !== undefined)
    return { body: JSON.stringify(request.json), contentType: 'application/json' };
  if (request.form)
    return {
      body: new URLSearchParams(request.form).toString(),
      contentType: 'application/x-www-form-urlencoded',
    };
  if (request.body !== undefined) return { body: request.body };
  return {};
}

/**
 * `ctx.http`: base URL, auth, the manifest's rate limits (shared across processes), 429 handling
 * and retries of idempotent requests. The plugin sees plain responses; 401 after one recovery
 * becomes an AuthError.
 */
export function createPluginHttp(options: CreatePluginHttpOptions): PluginHttp {
  const doFetch = options.fetch ?? fetch;
  const max429 = options.max429 ?? 8;
  const scale = options.retryDelayScale ?? 1;
  return {
    async request(request) {
      const method = request.method ?? 'GET';
      const idempotent = request.idempotent ?? (method === 'GET' || method === 'HEAD');
      const url = /^https?:\/\//.test(request.path)
        ? request.path
        : options.baseUrl.replace(/\/$/, '') + (request.path.startsWith('/') ? '' : '/') + request.path;
      // A key in the query goes on the URL sent, never on the path logged or matched.
      const credentials = options.authorizer.query ? await options.authorizer.query() : undefined;
      const query = toQueryString(credentials ? { ...request.query, ...credentials } : request.query);
      // A next-page URL may carry its own query already.
      const fullUrl = query && url.includes('?') ? `${url}&${query.slice(1)}` : url + query;
      // The path the rate groups match (a URL parse per request was a tenth of a UPO download's cost).
      const path = fullUrl.replace(/^https?:\/\/[^/?#]*/, '').replace(/[?#].*$/, '') || '/';
      const group = findRateGroup({ limits: options.rateLimits, path, hint: request.rateGroup });
      const rule = group ? toRateRule(group, options.rateContext) : undefined;
      const { body, contentType } = encodeBody(request);

      let recovered = false;
      let throttled = 0;
      let failures = 0;
      for (;;) {
        options.signal.throwIfAborted();
        if (rule) await options.limiter.acquire(rule, options.signal);
        // One controller per attempt, its timer cleared when the answer is read: AbortSignal.timeout
        // kept a timer and a signal alive for 30 s after every request (AbortSignal.any one more).
        const attempt = new AbortController();
        const timer = setTimeout(
          () => attempt.abort(new DOMException('The marketplace did not answer in time.', 'TimeoutError')),
          request.timeoutMs ?? options.timeoutMs ?? 30_000,
        );
        const cancel = () => attempt.abort(options.signal.reason);
        options.signal.addEventListener('abort', cancel, { once: true });
        try {
          const headers: Record<string, string> = {
            ...options.defaultHeaders,
            ...(contentType ? { 'content-type': contentType } : {}),
            ...request.headers,
            ...(await options.authorizer.headers()),
          };
          let response: Response;
          try {
            response = await doFetch(fullUrl, {
              method,
              headers,
              body,
              signal: attempt.signal,
            });
          } catch (error) {
            options.signal.throwIfAborted();
            if (idempotent && failures < RETRY_DELAYS_MS.length) {
              await sleep(RETRY_DELAYS_MS[failures++]! * scale, undefined, { signal: options.signal });
              continue;
            }
            // The method and path go to the log; the person reads what happened (no URL, no code).
            options.log.warn(
              {
                method,
                path,
                ...(credentials ? { reason: hide(String(error), credentials) } : { err: error }),
              },
              'marketplace request failed',
            );
            throw new RetryableError(
              (error as Error).name === 'TimeoutError'
                ? 'The marketplace did not answer in time; nothing is known to have been done.'
                : `The marketplace could not be reached (${hide((error as Error).message, credentials)}).`,
              // The cause may quote the URL, and with it a key sent in the query: kept out.
              credentials ? undefined : { cause: error },
            );
          }
          if (response.status === 429) {
            // Without a Retry-After, wait as long as the manifest says the marketplace blocks.
            const waitMs = retryAfterMs(response.headers, rule?.blockMs ?? 1000);
            await response.body?.cancel();
            if (rule) await options.limiter.pause(rule.key, waitMs);
            if (++throttled > max429)
              throw new RetryableError(
                `The marketplace kept refusing requests as too many (its rate limit) after ${max429} pauses.`,
              );
            options.log.warn({ path, waitMs }, 'marketplace rate limit hit; waiting');
            if (!rule) await sleep(waitMs, undefined, { signal: options.signal });
            continue;
          }
          if (response.status === 401) {
            await response.body?.cancel();
            if (!recovered && (await options.authorizer.recover())) {
              recovered = true;
              continue;
            }
            options.log.warn({ method, path, status: 401 }, 'marketplace refused the credentials');
            throw new AuthError('The marketplace refused the credentials; reconnect the account.');
          }
          // The API's own account of its budget: running low, the group waits before it refuses.
          if (rule?.fromHeaders) {
            const waitMs = headerWaitMs(rule, (name) => response.headers.get(name));
            if (waitMs > 0) {
              await options.limiter.pause(rule.key, waitMs);
              options.log.info({ path, waitMs }, 'marketplace budget low (its headers); the group waits');
            }
          }
          if (response.status >= 500 && idempotent && failures < RETRY_DELAYS_MS.length) {
            await response.body?.cancel();
            await sleep(RETRY_DELAYS_MS[failures++]! * scale, undefined, { signal: options.signal });
            continue;
          }
          if (request.binary) {
            const bytes = new Uint8Array(await response.arrayBuffer());
            return { ...toHttpResponse(response, ''), bytes };
          }
          return toHttpResponse(response, await response.text());
        } finally {
          clearTimeout(timer);
          options.signal.removeEventListener('abort', cancel);
        }
      }
    },
  };
}

/** A message with the query's credentials taken out (a URL it quotes would carry them). */
function hide(message: string, credentials: Record<string, string> | undefined): string {
  let out = message;
  for (const value of Object.values(credentials ?? {}))
    if (value) out = out.replaceAll(value, '[hidden]').replaceAll(encodeURIComponent(value), '[hidden]');
  return out;
}

function toHttpResponse(response: Response, text: string): HttpResponse {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => (headers[key] = value));
  return {
    status: response.status,
    headers,
    body: text,
    json<T>() {
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new Error(
          `The marketplace's answer could not be read: it was not JSON (it began "${text.slice(0, 80)}").`,
        );
      }
    },
  };
}
