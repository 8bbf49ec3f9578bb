import type { FastifyRequest } from 'fastify';
import {
  checkApiToken,
  authenticateSession,
  readBearerToken,
  readSessionCookie,
  secureCookies,
  sessionCookie,
  setCredentialKind,
  setCredentialRefusal,
} from '../auth/index.ts';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/orm.ts';
import type { ResolvePrincipal } from './http-server.ts';

interface Resolved {
  principal: Principal | null;
  /** `Set-Cookie` for a session whose expiry slid forward, so the browser keeps it as long. */
  renewedCookie?: string;
}

export interface PrincipalResolver {
  resolve: ResolvePrincipal;
  /** The renewed session cookie to send with this request's response, if any. */
  renewedCookie: (request: FastifyRequest) => Promise<string | undefined>;
}

/**
 * Who is calling: an API token (`Authorization: Bearer …`, REST and scripts) wins over the
 * console's session cookie. Resolved once per request, however many handlers ask.
 */
export function createPrincipalResolver(input: { db: Database; publicUrl: string }): PrincipalResolver {
  const cache = new WeakMap<FastifyRequest, Promise<Resolved>>();

  async function resolve(request: FastifyRequest): Promise<Resolved> {
    const em = input.db.orm.em.fork();
    const authorization = request.headers.authorization;
    if (authorization) {
      const checked = await checkApiToken({ em, token: readBearerToken(authorization) });
      if ('principal' in checked) {
        setCredentialKind(request, 'token');
        return checked;
      }
      if (checked.refusal) setCredentialRefusal(request, checked.refusal);
      return { principal: null };
    }
    const token = readSessionCookie(request.headers.cookie);
    const session = await authenticateSession({ em, token });
    if (!session || !token) return { principal: null };
    setCredentialKind(request, 'session');
    return {
      principal: session.principal,
      ...(session.renewed
        ? {
            renewedCookie: sessionCookie({
              token,
              expiresAt: session.expiresAt,
              secure: secureCookies(input.publicUrl),
            }),
          }
        : {}),
    };
  }

  const resolved = (request: FastifyRequest) => {
    let entry = cache.get(request);
    if (!entry) {
      entry = resolve(request);
      cache.set(request, entry);
    }
    return entry;
  };

  return {
    resolve: async (request) => (await resolved(request)).principal,
    renewedCookie: async (request) => {
      // Only requests that asked who is calling can have renewed their session.
      const entry = cache.get(request);
      return entry ? (await entry.catch(() => undefined))?.renewedCookie : undefined;
    },
  };
}
