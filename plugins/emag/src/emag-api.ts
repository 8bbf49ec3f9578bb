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
 * What each eMAG call does, in the words a seller reads in a run's error or an account's status
 * ("eMAG refused saving the invoice to the order"): a resource path such as
 * `order/attachments/save` means nothing to them. Keyed by `resource/action` (API doc 1.2); an id
 * after it (`order/acknowledge/{id}`) is ignored.
 */
const ACTIONS: Record<string, string> = {
  'order/read': 'reading orders',
  'order/count': 'counting orders',
  'order/acknowledge': 'acknowledging a new order',
  'order/save': 'updating an order',
  'order/attachments/save': 'saving the invoice to the order',
  'vat/read': 'reading VAT rates',
  'product_offer/read': 'reading offers',
  'offer/save': 'updating offers',
  'rma/read': 'reading returns',
  'rma/save': 'updating a return',
};

/** The call's action in words (`order/attachments/save` → "saving the invoice to the order"). */
export function actionInWords(path: string): string {
  const parts = path.split('/').filter((p) => p && !/^\d+$/.test(p));
  for (let n = parts.length; n > 0; n--) {
    const words = ACTIONS[parts.slice(0, n).join('/')];
    if (words) return words;
  }
  // An unlisted call: what it works on, in words (`category/read` → "working with eMAG's categories").
  return `working with eMAG's ${(parts[0] ?? 'data').replaceAll('_', ' ')} data`;
}

/**
 * One eMAG call: `POST {base}/{resource}/{action}` with `{"data": …}` as JSON (API doc 1.2
 * "Request, resources and actions"), `base` being the platform's host (`platformApiUrl`: Fashion
 * Days' own) or the deployment's `EMAG_BASE_URL`. Reads are safe to repeat (`idempotent`), so
 * the host retries them on 5xx; saves are marked idempotent by their callers only where eMAG
 * makes a repeat harmless. Errors come as HTTP 200 with `isError: true` (API doc 1.4): anything
 * without `isError: false` is a failure. The errors say what was being done in words, never the
 * call's path or an HTTP status (those go to the log), and promise no retry: whether the work is
 * tried again is the host's to say (a switched-off account is not).
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
  const what = actionInWords(options.path);
  const logAnswer = (message: string) =>
    ctx.log.warn({ path: options.path, status: response.status }, message);
  if (response.status === 401 || response.status === 403) {
    logAnswer('eMAG refused the credentials');
    throw new AuthError(
      `eMAG refused the username or password while ${what}; check the API user's credentials in the eMAG seller portal and save them again.`,
    );
  }
  if (response.status === 429) {
    logAnswer('eMAG rate limit');
    throw new RetryableError(
      `eMAG's request limit for this account was used up while ${what} (too many requests).`,
    );
  }
  if (response.status >= 500) {
    logAnswer('eMAG server error');
    throw new RetryableError(`eMAG had a problem on its side while ${what} and did not finish it.`);
  }
  if (!body || response.status !== 200) {
    ctx.log.warn(
      { path: options.path, status: response.status, body: response.body.slice(0, 200) },
      'eMAG answered without its envelope',
    );
    throw new RetryableError(`eMAG gave an answer that could not be read while ${what}.`);
  }
  if (body.isError !== false) {
    const messages = messagesOf(body);
    if (messages.some((m) => IP_NOT_WHITELISTED.test(m)))
      throw new ConfigError(
        `eMAG refuses calls from this server's IP address (${messages.join('; ')}); add it to the API user's IP whitelist in the eMAG seller portal.`,
      );
    throw new EmagRefused(`eMAG refused ${what}: ${messages.join('; ') || 'no reason given'}`, messages);
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
