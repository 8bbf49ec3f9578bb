import {
  AuthError,
  isPluginError,
  PluginErrorCode,
  RefusedError,
  RetryableError,
  type HttpRequest,
  type HttpResponse,
  type PluginContext,
} from '@mch/plugin-sdk';

/**
 * Allegro's error body (reference/README.md "Allegro"): `{"errors":[{code,message,userMessage}]}`,
 * or `{"error","error_description"}` for 401. Its words (`userMessage`, written for a person) when
 * it gave any, else what the answer means in plain words: a seller reads this in a run's error or
 * an account's status, so no HTTP status and no error code (both go to the log).
 */
export function describeAllegroError(response: HttpResponse): string {
  try {
    const body = response.json<{
      errors?: { code?: string; message?: string; userMessage?: string | null }[];
      error_description?: string;
    }>();
    const first = body.errors?.[0];
    const words = first?.userMessage ?? first?.message ?? body.error_description;
    // Set into a sentence by the caller: without its closing full stop.
    if (words) return words.trim().replace(/\.+$/, '');
  } catch {
    // not JSON: the answer's meaning below
  }
  if (response.status >= 500) return 'Allegro had a problem on its side';
  if (response.status === 429) return "Allegro's request limit for this account was used up";
  if (response.status === 401) return 'the sign-in has expired or was withdrawn';
  if (response.status === 403) return 'the account may not do this';
  return 'Allegro gave no reason';
}

/**
 * What each Allegro call does, in the words of a run's error ("while reading orders"): the
 * resource path means nothing to a seller. Paths as in reference/allegro-openapi; an id in the
 * path is matched by `[^/]+`.
 */
const ACTIONS: [RegExp, string][] = [
  [/^\/order\/checkout-forms\/[^/]+\/invoices\/[^/]+\/file$/, "uploading an invoice's PDF"],
  [/^\/order\/checkout-forms\/[^/]+\/invoices$/, "reading an order's invoices"],
  [/^\/order\/checkout-forms\/[^/]+$/, 'reading an order'],
  [/^\/order\/checkout-forms$/, 'reading orders'],
  [/^\/order\/events$/, 'reading order events'],
  [/^\/order\/event-stats$/, 'reading the latest order event'],
  [/^\/order\/customer-returns/, 'reading customer returns'],
  [/^\/payments\/refunds/, 'reading refunds'],
  [/^\/me$/, 'reading the account'],
];

/** The call's action in words (`/order/checkout-forms/{id}` → "reading an order"). */
export function allegroActionInWords(path: string): string {
  return ACTIONS.find(([pattern]) => pattern.test(path))?.[1] ?? "working with the account's Allegro data";
}

/** A request whose failure should fail the run: 5xx retryable, 401/403 need the seller, 4xx is a bug here. */
export async function allegro(
  ctx: PluginContext,
  request: HttpRequest,
  accept: number[] = [200],
): Promise<HttpResponse> {
  const response = await ctx.http.request(request);
  if (accept.includes(response.status)) return response;
  const what = allegroActionInWords(request.path);
  const reason = describeAllegroError(response);
  // The call and its status are for whoever reads the log, not for the seller.
  ctx.log.warn({ method: request.method ?? 'GET', path: request.path, status: response.status }, reason);
  if (response.status === 401 || response.status === 403) {
    throw new AuthError(`Allegro refused access while ${what}: ${reason}. Reconnect the Allegro account.`);
  }
  if (response.status === 429) {
    throw new RetryableError(`Allegro's request limit for this account was used up while ${what}.`);
  }
  if (response.status >= 500) {
    throw new RetryableError(`Allegro could not answer while ${what}: ${reason}. Nothing was changed.`);
  }
  throw new Error(
    `Allegro refused a request while ${what}: ${reason}. The connector asked for something Allegro does not accept; if this stays, report it with the run.`,
  );
}

/** Allegro's public media type, and the beta one its customer-returns resources speak (OpenAPI). */
export const ALLEGRO_PUBLIC = 'application/vnd.allegro.public.v1+json';
export const ALLEGRO_BETA = 'application/vnd.allegro.beta.v1+json';

/**
 * A change the seller asked for (refund, rejection): 2xx is done; 401/403 need the seller; 5xx,
 * 429 and network errors are retryable (the caller keeps its idempotency key); anything else is
 * Allegro's refusal by its rules, shown in Allegro's words and never retried.
 */
export async function allegroChange(
  ctx: PluginContext,
  request: HttpRequest,
  what: string,
): Promise<HttpResponse> {
  let response: HttpResponse;
  try {
    response = await ctx.http.request({ idempotent: false, ...request });
  } catch (error) {
    if (isPluginError(error) && error.code === PluginErrorCode.AUTH) throw error;
    throw new RetryableError(
      `Allegro did not answer when asked to ${what} (${(error as Error).message}). It may have been done: asking again with the same input does it at most once.`,
      { cause: error },
    );
  }
  if (response.status >= 200 && response.status < 300) return response;
  if (response.status === 401 || response.status === 403)
    throw new AuthError(
      `Allegro refused to ${what}: ${describeAllegroError(response)}. Reconnect the account.`,
    );
  if (response.status >= 500 || response.status === 429)
    throw new RetryableError(
      `Allegro could not answer when asked to ${what}: ${describeAllegroError(response)}. Ask again with the same input: it is done at most once.`,
    );
  throw new RefusedError(`Allegro refused to ${what}: ${describeAllegroError(response)}.`);
}
