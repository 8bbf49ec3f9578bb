import type { FastifyInstance } from 'fastify';
import type { AllegroSandboxConfig } from '../config.ts';
import { authErrorBody } from '../errors.ts';
import type { TokenAuthority } from './tokens.ts';

type Params = Partial<Record<string, string>>;

function basicCredentials(header: string | undefined): { id: string; secret: string } | null {
  const match = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return {
    id: decodeURIComponent(decoded.slice(0, colon)),
    secret: decodeURIComponent(decoded.slice(colon + 1)),
  };
}

/**
 * `POST /auth/oauth/token` (reference/README.md "OAuth"): form-encoded (Allegro also accepts the
 * parameters in the query string), client authenticated with HTTP Basic, or — PKCE — `client_id`
 * and `code_verifier` in the body. Grants: authorization_code, refresh_token, client_credentials.
 */
export function registerTokenRoute(
  app: FastifyInstance,
  deps: { config: AllegroSandboxConfig; authority: TokenAuthority },
): void {
  const { config, authority } = deps;
  app.post('/auth/oauth/token', async (request, reply) => {
    const body = typeof request.body === 'object' && request.body !== null ? (request.body as Params) : {};
    const p: Params = { ...(request.query as Params), ...body };
    const basic = basicCredentials(request.headers.authorization);
    if (basic && (basic.id !== config.clientId || basic.secret !== config.clientSecret)) {
      return reply.code(401).send(authErrorBody('Bad client credentials'));
    }
    const clientId = basic?.id ?? p.client_id;
    if (clientId !== config.clientId)
      return reply.code(401).send(authErrorBody('Client authentication required'));
    const clientAuthenticated = basic !== null;

    const fail = (error: string, description: string) =>
      reply.code(error === 'invalid_client' ? 401 : 400).send({ error, error_description: description });

    switch (p.grant_type ?? '') {
      case 'authorization_code': {
        if (!p.code || !p.redirect_uri) return fail('invalid_request', 'code and redirect_uri are required');
        const result = await authority.redeemCode({
          code: p.code,
          clientId,
          redirectUri: p.redirect_uri,
          codeVerifier: p.code_verifier,
          clientAuthenticated,
        });
        return result.ok ? result.tokens : fail(result.error, result.description);
      }
      case 'refresh_token': {
        if (!p.refresh_token) return fail('invalid_request', 'refresh_token is required');
        const result = await authority.redeemRefresh({
          refreshToken: p.refresh_token,
          clientId,
          clientAuthenticated,
        });
        return result.ok ? result.tokens : fail(result.error, result.description);
      }
      case 'client_credentials':
        if (!clientAuthenticated)
          return fail('invalid_client', 'client_credentials needs HTTP Basic client authentication');
        return authority.clientToken(clientId);
      default:
        return fail('unsupported_grant_type', `Unsupported grant_type: ${p.grant_type ?? '(none)'}`);
    }
  });
}
