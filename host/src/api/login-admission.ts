import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DEVICE_COOKIE, readCookie } from '../auth/index.ts';
import { HashGate } from '../auth/hash-gate.ts';
import type { Logger } from '../logging/logger.ts';
import type { LoginLimiter } from './login-limiter.ts';

const LOGIN_PATH = '/trpc/auth.login';
/** Refusals are logged one line per window (with their count), not a line each. */
const LOG_WINDOW_MS = 10_000;
/** tRPC's JSON-RPC numbers for the two refusals (`@trpc/server` TRPC_ERROR_CODES_BY_KEY). */
const REFUSALS = {
  TOO_MANY_REQUESTS: { status: 429, rpc: -32029 },
  SERVICE_UNAVAILABLE: { status: 503, rpc: -32603 },
} as const;

const refusedEarly = Symbol('login refused on arrival');

/** Whether the request was answered by the login admission (its own line is not logged). */
export function wasRefusedEarly(request: FastifyRequest): boolean {
  return (request as FastifyRequest & { [refusedEarly]?: true })[refusedEarly] === true;
}

/**
 * Refuses, as it arrives, a sign-in the login procedure would refuse anyway (issue 11: a flood of
 * 300 concurrent wrong logins must leave another user's login under 1 s). Checked in Fastify's
 * `onRequest`, before the body is read, before tRPC, and with no error object or log line per
 * request, so that a flood costs the event loop a fraction of a millisecond per request instead of
 * the ~2 ms the full path takes (profiled: body parsing, tRPC's error path, stack traces and two
 * request log lines each), and a real user's request is not left waiting behind it:
 * - the address is over its limits (`LoginLimiter.refusalFor`: sign-ins already being checked, or
 *   a delay after many failures): 429, with the same sentence the procedure gives;
 * - the request has no device cookie, so it can only sign in on the normal lane, and that lane
 *   has as many sign-ins in progress as it can hash and queue: 503.
 * What needs the email (per-account limits, whether a device cookie belongs to it) is left to the
 * procedure. The answer is the tRPC error envelope the console's client reads, batched or not.
 */
export function registerLoginAdmission(
  app: FastifyInstance,
  { limiter, gate, logger }: { limiter: () => LoginLimiter; gate: HashGate; logger: Logger },
): void {
  let window = { started: 0, refused: 0 };
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'POST') return;
    const [path, query = ''] = request.url.split('?', 2);
    if (path !== LOGIN_PATH) return;
    const address = limiter().refusalFor(request.ip);
    const busy =
      address === null && !readCookie(request.headers.cookie, DEVICE_COOKIE) && gate.full('normal');
    if (address === null && !busy) return;
    const code = address === null ? 'SERVICE_UNAVAILABLE' : 'TOO_MANY_REQUESTS';
    const { status, rpc } = REFUSALS[code];
    const error = {
      error: {
        message: address ?? HashGate.BUSY,
        code: rpc,
        data: { code, httpStatus: status, path: 'auth.login' },
      },
    };
    // One line when refusals start (and then at most one per window, with the count since).
    const now = Date.now();
    if (now - window.started >= LOG_WINDOW_MS) {
      logger.warn(
        { ip: request.ip, status, refusedSinceLastLine: window.refused },
        'sign-in refused on arrival: the address is over its limits or sign-in is too busy',
      );
      window = { started: now, refused: 0 };
    }
    window.refused++;
    (request as FastifyRequest & { [refusedEarly]?: true })[refusedEarly] = true;
    const batched = new URLSearchParams(query).get('batch') === '1';
    return reply
      .code(status)
      .type('application/json')
      .send(JSON.stringify(batched ? [error] : error));
  });
}
