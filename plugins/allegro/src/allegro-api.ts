import {
  AuthError,
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
