import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readSessionCookie } from '../auth/index.ts';
import { errorBody, HostError } from '../errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Marketplaces call these server to server; the signed token in the URL is the credential. */
const SERVER_TO_SERVER = /^\/api\/v1\/webhooks\//;
const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * Why a state-changing browser request from another origin is refused, or null when it may go on.
 * Follows the Fetch Metadata approach (W3C "Fetch Metadata Request Headers"; Go 1.25's
 * `http.CrossOriginProtection`): `Sec-Fetch-Site` when the browser sends it, else `Origin`
 * against this host's own origins. A request with neither header is not from a browser (every
 * browser sends `Origin` with a cross-origin request and with every POST), so it carries no
 * ambient authority an attacker could borrow.
 */
export function crossOriginRefusal(request: FastifyRequest, publicUrl: string): string | null {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== '') {
    if (site === 'same-origin' || site === 'none') return null;
    return `This request came from another site (Sec-Fetch-Site: ${site}).`;
  }
  const origin = request.headers.origin;
  if (typeof origin !== 'string' || origin === '') return null;
  if (origin === 'null')
    return 'This request came from a page without an origin (a sandboxed frame or a file).';
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return `This request's Origin (${origin.slice(0, 100)}) is not a valid origin.`;
  }
  const ownHosts = new Set([request.headers.host, safeHost(publicUrl)]);
  if (ownHosts.has(host)) return null;
  return `This request came from another site (Origin: ${origin.slice(0, 100)}).`;
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

function refuse(reply: FastifyReply, status: number, message: string) {
  return reply
    .code(status)
    .send(errorBody(new HostError(status === 403 ? 'FORBIDDEN' : 'BAD_REQUEST', message)));
}

/**
 * CSRF protection for every state-changing request that a browser could send on a person's
 * behalf (issue 11): the session cookie is SameSite=Lax, which still goes along with requests
 * from sibling subdomains (same site) and top-level navigations, so the cookie alone proves
 * nothing about who made the request.
 * - Requests from another origin (by `Sec-Fetch-Site` or `Origin`) are refused, 403.
 * - tRPC takes JSON only; cookie-authenticated REST changes take JSON only (415): a cross-site
 *   form can send only form encodings or text/plain, and JSON from another site needs a CORS
 *   preflight that this host never grants.
 * API-token calls (`Authorization: Bearer`) carry no ambient credential and are unaffected.
 */
export function registerCrossOriginProtection(
  app: FastifyInstance,
  options: { publicUrl: () => string },
): void {
  app.addHook('onRequest', async (request, reply) => {
    if (SAFE_METHODS.has(request.method)) return;
    const path = request.url.split('?', 1)[0] ?? '/';
    if (SERVER_TO_SERVER.test(path)) return;
    const trpc = path.startsWith('/trpc/');
    const contentType = request.headers['content-type'] ?? '';
    if (trpc && !JSON_TYPE.test(contentType)) {
      return refuse(
        reply,
        415,
        `The API takes JSON only (Content-Type: application/json), not ${contentType || 'a body without a type'}.`,
      );
    }
    if (request.headers.authorization) return;
    const refusal = crossOriginRefusal(request, options.publicUrl());
    if (refusal) {
      return refuse(
        reply,
        403,
        `${refusal} Changes are accepted only from this host's own pages; use the console, or call the API with an API token.`,
      );
    }
    const cookieAuthenticated = readSessionCookie(request.headers.cookie) !== undefined;
    if (cookieAuthenticated && !trpc && !JSON_TYPE.test(contentType)) {
      return refuse(
        reply,
        415,
        'A change made with a session cookie must send a JSON body (Content-Type: application/json); scripts should use an API token.',
      );
    }
  });
}
