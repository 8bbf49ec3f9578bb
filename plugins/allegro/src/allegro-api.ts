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
 * or `{"error","error_description"}` for 401.
 */
export function describeAllegroError(response: HttpResponse): string {
  try {
    const body = response.json<{
      errors?: { code?: string; message?: string; userMessage?: string }[];
      error_description?: string;
    }>();
    const first = body.errors?.[0];
    if (first) return `${first.code ?? 'ERROR'}: ${first.userMessage ?? first.message ?? ''}`.trim();
    if (body.error_description) return body.error_description;
  } catch {
    // not JSON: fall through to the status line
  }
  return `HTTP ${response.status}`;
}

/** A request whose failure should fail the run: 5xx retryable, 401/403 need the seller, 4xx is a bug here. */
export async function allegro(
  ctx: PluginContext,
  request: HttpRequest,
  accept: number[] = [200],
): Promise<HttpResponse> {
  const response = await ctx.http.request(request);
  if (accept.includes(response.status)) return response;
  const what = `${request.method ?? 'GET'} ${request.path}`;
  if (response.status === 401 || response.status === 403) {
    throw new AuthError(`Allegro refused ${what}: ${describeAllegroError(response)}. Reconnect the account.`);
  }
  if (response.status >= 500 || response.status === 429) {
    throw new RetryableError(
      `Allegro answered ${response.status} to ${what}: ${describeAllegroError(response)}`,
    );
  }
  throw new Error(`Allegro rejected ${what} (${response.status}): ${describeAllegroError(response)}`);
}

/** Allegro's public media type, and the beta one its customer-returns resources speak (OpenAPI). */
export const ALLEGRO_PUBLIC = 'application/vnd.allegro.public.v1+json';
export const ALLEGRO_BETA = 'application/vnd.allegro.beta.v1+json';

/** The first error Allegro gave, in its words (`userMessage`, else `message`), with its path. */
export function allegroRefusal(response: HttpResponse): string {
  try {
    const first = response.json<{
      errors?: { message?: string; userMessage?: string | null; path?: string | null }[];
    }>().errors?.[0];
    const words = first?.userMessage ?? first?.message;
    if (words) return first?.path ? `${words} (${first.path})` : words;
  } catch {
    // not JSON
  }
  return `HTTP ${response.status}`;
}

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
      `Allegro answered ${response.status} when asked to ${what}. Ask again with the same input: it is done at most once.`,
    );
  throw new RefusedError(`Allegro refused to ${what}: ${allegroRefusal(response)}.`);
}
