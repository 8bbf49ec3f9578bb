import type { FaultState, Ledger, RateLimiter } from '@mch/plugin-sdk/sandbox-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AllegroSandboxConfig } from '../config.ts';
import { authErrorBody, errorsBody } from '../errors.ts';
import type { AllegroFaults } from '../faults.ts';
import type { TokenAuthority } from '../oauth/tokens.ts';
import type { AccountReturns } from '../returns-store.ts';
import type { AccountOrders } from '../store.ts';

export const ALLEGRO_MEDIA_TYPE = 'application/vnd.allegro.public.v1+json';
/**
 * Beta resources (customer returns) answer only to this media type (OpenAPI content types of
 * `/order/customer-returns*`); Accept with only the public one is 406.
 */
export const ALLEGRO_BETA_MEDIA_TYPE = 'application/vnd.allegro.beta.v1+json';

export interface ApiDeps {
  config: AllegroSandboxConfig;
  stores: AccountOrders[];
  authority: TokenAuthority;
  limiter: RateLimiter;
  ledger: Ledger;
  faults: FaultState<AllegroFaults>;
  /** Customer returns and payment refunds, one per account (same order as `stores`). */
  returns: AccountReturns[];
}

export interface Caller {
  clientId: string;
  accountIndex: number | null;
}

const callers = new WeakMap<FastifyRequest, Caller>();

/**
 * Runs before every API route, in Allegro's order: bearer token (401), the per-client-id limit
 * (429, client blocked for `blockMs`; each refused request is a breach in the ledger), then the
 * versioned media type in Accept (406) — reference/README.md "Every API call" and "Limits".
 * `mediaType`: the one the route speaks (the public v1 type, or the beta one of customer returns).
 */
export function apiGuard(deps: ApiDeps, mediaType: string = ALLEGRO_MEDIA_TYPE) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1]) {
      return reply.code(401).send(authErrorBody('Full authentication is required to access this resource'));
    }
    const check = await deps.authority.verifyAccess(match[1]);
    if (!check.ok) return reply.code(401).send(authErrorBody(check.description, check.error));
    const countdown = deps.faults.get().revokeAfter;
    if (countdown > 0) {
      deps.faults.update({ revokeAfter: countdown - 1 });
      if (countdown === 1) {
        deps.authority.revoke();
        return reply
          .code(401)
          .send(authErrorBody(`Access token has been revoked: ${match[1].slice(0, 12)}…`, 'invalid_token'));
      }
    }
    if (deps.config.rateLimitEnabled) {
      const decision = deps.limiter.hit(check.clientId);
      if (!decision.allowed) {
        deps.ledger.breach(check.clientId);
        return reply
          .code(429)
          .header('retry-after', String(Math.ceil(decision.retryAfterMs / 1000)))
          .send(
            errorsBody(
              'TooManyRequestsException',
              'Request limit for this client id exceeded; wait before retrying.',
            ),
          );
      }
    }
    const accept = request.headers.accept ?? '';
    if (!accept.split(',').some((part) => part.trim().split(';')[0]?.trim() === mediaType)) {
      return reply.code(406).send(
        errorsBody('NotAcceptableException', `Accept header must be ${mediaType}`, {
          path: 'Accept',
        }),
      );
    }
    callers.set(request, { clientId: check.clientId, accountIndex: check.accountIndex });
    return undefined;
  };
}

/** The seller behind the request's token, or a 403 sent (application tokens have no seller). */
export function sellerStore(
  deps: ApiDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): AccountOrders | null {
  const caller = callers.get(request);
  const store =
    caller?.accountIndex === null || caller === undefined ? undefined : deps.stores[caller.accountIndex];
  if (!store) {
    void reply
      .code(403)
      .send(errorsBody('AccessDenied', 'This resource needs a token of a seller (authorization_code flow).'));
    return null;
  }
  return store;
}

export function notFound(reply: FastifyReply, what: string): FastifyReply {
  return reply.code(404).send(errorsBody('NotFoundException', `${what} not found`));
}

export function unprocessable(reply: FastifyReply, message: string, path?: string): FastifyReply {
  return reply.code(422).send(errorsBody('VALIDATION_ERROR', message, { path }));
}
