import type { FastifyRequest } from 'fastify';
import {
  authenticateApiToken,
  authenticateSession,
  readBearerToken,
  readSessionCookie,
} from '../auth/index.ts';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/orm.ts';
import type { ResolvePrincipal } from './http-server.ts';

const RESOLVED = Symbol('principal');
type WithPrincipal = FastifyRequest & { [RESOLVED]?: Promise<Principal | null> };

/**
 * Who is calling: an API token (`Authorization: Bearer …`, REST and scripts) wins over the
 * console's session cookie. Resolved once per request, however many handlers ask.
 */
export function createPrincipalResolver(db: Database): ResolvePrincipal {
  async function resolve(request: FastifyRequest): Promise<Principal | null> {
    const em = db.orm.em.fork();
    const authorization = request.headers.authorization;
    if (authorization) return authenticateApiToken({ em, token: readBearerToken(authorization) });
    const session = await authenticateSession({ em, token: readSessionCookie(request.headers.cookie) });
    return session?.principal ?? null;
  }
  return (request) => {
    const req = request as WithPrincipal;
    req[RESOLVED] ??= resolve(request);
    return req[RESOLVED];
  };
}
