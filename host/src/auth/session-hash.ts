import type { FastifyRequest } from 'fastify';
import { readSessionCookie } from './sessions.ts';
import { sha256Hex } from './tokens.ts';

/**
 * SHA-256 of the console session a request is authenticated by, or null when it uses an API
 * token or no session: what an OAuth authorization is bound to (the browser that started it).
 */
export function sessionHashOf(request: FastifyRequest): string | null {
  if (request.headers.authorization) return null;
  const token = readSessionCookie(request.headers.cookie);
  return token ? sha256Hex(token) : null;
}
