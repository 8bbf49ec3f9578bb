import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { wasRefusedEarly } from '../api/login-admission.ts';

/** Query parameters and path parameters that carry secrets (OAuth codes, link and webhook tokens). */
const SECRET_PARAM = /code|state|token|secret|password|key|signature/i;

/**
 * What a log line may say about a request's URL: the route pattern with its non-secret params,
 * and the query with secret values replaced. Raw URLs can hold OAuth codes (`auth/callback?code=`)
 * and signed tokens (webhooks, public invoice links), which must never reach the logs.
 */
export function loggableUrl(request: FastifyRequest): { url: string; params?: Record<string, string> } {
  const [path = '/', query] = request.url.split('?', 2);
  const route = request.routeOptions.url;
  const safeQuery = query
    ? new URLSearchParams(
        [...new URLSearchParams(query)].map(([k, v]): [string, string] => [
          k,
          SECRET_PARAM.test(k) ? '[redacted]' : v,
        ]),
      ).toString()
    : '';
  const base = route ?? path.replace(/\/[A-Za-z0-9_-]{32,}(\.pdf)?(?=\/|$)/g, '/[redacted]');
  const params = Object.fromEntries(
    Object.entries((request.params ?? {}) as Record<string, string>).filter(([k]) => !SECRET_PARAM.test(k)),
  );
  return {
    url: safeQuery ? `${base}?${safeQuery}` : base,
    ...(route && Object.keys(params).length > 0 ? { params } : {}),
  };
}

/**
 * Fastify's request logging, except that the incoming-request line carries the loggable URL
 * instead of the raw one (see `loggableUrl`). Completion lines carry no URL; a sign-in refused on
 * arrival has none (`login-admission.ts` logs such refusals once per window).
 */
export class SafeLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.info({ req: { method: request.method, ...loggableUrl(request) } }, 'incoming request');
  }

  /** As Fastify's, except for sign-ins refused on arrival: those are counted, not logged each. */
  override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply): void {
    if (!error && wasRefusedEarly(request)) return;
    super.requestCompleted(error, request, reply);
  }
}
