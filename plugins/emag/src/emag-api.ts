import {
  AuthError,
  ConfigError,
  RefusedError,
  RetryableError,
  type HttpResponse,
  type PluginContext,
} from '@mch/plugin-sdk';
import { platformApiUrl } from './platforms.ts';

/** eMAG's envelope (API doc "Response"): errors usually come as HTTP 200 with `isError: true`. */
export interface Envelope<T> {
  isError: boolean;
  messages?: unknown[];
  results: T;
}

/** The IP filter's answer (API doc "Authentication": only whitelisted IPs may call the API). */
export const IP_NOT_WHITELISTED = /invalid vendor ip/i;

/** eMAG answered `isError: true`: it refused the call by its rules; repeating it changes nothing. */
export class EmagRefused extends Error {
  override name = 'EmagRefused';
  readonly messages: string[];
  constructor(message: string, messages: string[]) {
    super(message);
    this.messages = messages;
  }
}

export function messagesOf(body: { messages?: unknown[] } | undefined): string[] {
  return (body?.messages ?? []).map((m) =>
    typeof m === 'string' ? m : typeof m === 'object' && m ? JSON.stringify(m) : String(m),
  );
}

function parse<T>(response: HttpResponse): Envelope<T> | undefined {
  try {
    return response.json<Envelope<T>>();
  } catch {
    return undefined;
  }
}

/**
 * One eMAG call: `POST {base}/{resource}/{action}` with `{"data": …}` as JSON (API doc 1.2
 * "Request, resources and actions"), `base` being the platform's host (`platformApiUrl`: Fashion
 * Days' own) or the deployment's `EMAG_BASE_URL`. Reads are safe to repeat (`idempotent`), so
 * the host retries them on 5xx; saves are marked idempotent by their callers only where eMAG
 * makes a repeat harmless. Errors come as HTTP 200 with `isError: true` (API doc 1.4): anything
 * without `isError: false` is a failure.
 */
export async function emag<T>(
  ctx: PluginContext,
  options: { path: string; data?: unknown; idempotent?: boolean; timeoutMs?: number },
): Promise<T> {
  const base = platformApiUrl(ctx);
  const response = await ctx.http.request({
    method: 'POST',
    path: base ? `${base}/${options.path}` : options.path,
    json: options.data === undefined ? {} : { data: options.data },
    idempotent: options.idempotent ?? false,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const body = parse<T>(response);
  const what = `eMAG ${options.path}`;
  if (response.status === 401 || response.status === 403)
    throw new AuthError(
      `${what}: eMAG refused the username or password (HTTP ${response.status}); check the API user's credentials.`,
    );
  if (response.status >= 500 || response.status === 429)
    throw new RetryableError(`${what} answered HTTP ${response.status}; will retry`);
  if (!body || response.status !== 200)
    throw new RetryableError(
      `${what} answered HTTP ${response.status} without eMAG's envelope: ${response.body.slice(0, 200)}`,
    );
  if (body.isError !== false) {
    const messages = messagesOf(body);
    if (messages.some((m) => IP_NOT_WHITELISTED.test(m)))
      throw new ConfigError(
        `eMAG refuses calls from this server's IP address (${messages.join('; ')}); add it to the API user's IP whitelist in the eMAG seller portal.`,
      );
    throw new EmagRefused(`${what} refused: ${messages.join('; ') || 'no reason given'}`, messages);
  }
  return body.results;
}

/**
 * An action eMAG refused by its rules, as the error a person sees (the host answers 409 with it,
 * not a 5xx): what was refused, eMAG's own words, and what to do.
 */
export function refusedByEmag(error: unknown, what: string, advice: string): unknown {
  if (!(error instanceof EmagRefused)) return error;
  // A refusal by eMAG's rules (409 with the rule in words), never a server error (issue 21).
  return new RefusedError(
    `eMAG refused to ${what}: ${error.messages.join('; ') || 'no reason given'}. ${advice}`,
    { cause: error },
  );
}
