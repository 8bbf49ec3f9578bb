import { createHash, randomBytes } from 'node:crypto';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';

/**
 * A marketplace's OAuth server and `/me` for fixture-rich (authorization code + PKCE, RFC 6749
 * §4.1 / RFC 7636): `approve()` plays the seller's consent page, returning the redirect the
 * marketplace would send the browser to; the token endpoint checks the client, the code and the
 * PKCE verifier; `/me` names the account of an access token. Anything else fails loudly (599).
 */
export interface FakeOAuthProvider {
  url: string;
  /** Every token it issued (access and refresh), to look for in dumps, logs and responses. */
  issued: string[];
  config(redirectUri: string): Record<string, string>;
  /** The seller `account` approves `authorizeUrl`: the callback URL (code + state) to open. */
  approve(authorizeUrl: string, account: string): string;
  unexpected: string[];
  close(): Promise<void>;
}

export async function startFakeOAuthProvider(): Promise<FakeOAuthProvider> {
  const clientId = 'rich-client';
  const clientSecret = `rich-secret-${randomBytes(6).toString('hex')}`;
  const codes = new Map<string, { account: string; challenge: string; redirectUri: string }>();
  const tokens = new Map<string, string>();
  const issued: string[] = [];
  const unexpected: string[] = [];
  const app: FastifyInstance = Fastify();
  await app.register(formbody);
  app.post('/auth/oauth/token', async (request, reply) => {
    const body = request.body as Record<string, string>;
    // RFC 6749 §2.3.1: id and secret are form-urlencoded, then joined by ':' and base64-encoded.
    const [id, secret] = Buffer.from((request.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
      .toString('utf8')
      .split(':')
      .map((part) => decodeURIComponent(part.replaceAll('+', ' ')));
    if (id !== clientId || secret !== clientSecret) {
      unexpected.push(`a token request with the wrong client credentials (${id})`);
      return reply.code(401).send({ error: 'invalid_client' });
    }
    const grant = codes.get(body.code ?? '');
    codes.delete(body.code ?? '');
    const challenge = createHash('sha256')
      .update(body.code_verifier ?? '')
      .digest('base64url');
    if (
      body.grant_type !== 'authorization_code' ||
      !grant ||
      grant.challenge !== challenge ||
      grant.redirectUri !== body.redirect_uri
    ) {
      return reply.code(400).send({ error: 'invalid_grant', error_description: 'bad code or verifier' });
    }
    const access = `rich-access-${randomBytes(12).toString('hex')}`;
    const refresh = `rich-refresh-${randomBytes(12).toString('hex')}`;
    tokens.set(access, grant.account);
    issued.push(access, refresh);
    return { access_token: access, refresh_token: refresh, token_type: 'bearer', expires_in: 43199 };
  });
  app.get('/me', async (request, reply) => {
    const account = tokens.get((request.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!account) return reply.code(401).send({ error: 'invalid_token' });
    return { id: account, login: `login-${account}` };
  });
  app.setNotFoundHandler((request, reply) => {
    unexpected.push(`${request.method} ${request.url}`);
    return reply.code(599).send({ unexpected: request.url });
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    issued,
    unexpected,
    config: (redirectUri) => ({
      RICH_AUTH_URL: url,
      RICH_API_URL: url,
      RICH_CLIENT_ID: clientId,
      RICH_CLIENT_SECRET: clientSecret,
      RICH_REDIRECT_URI: redirectUri,
    }),
    approve(authorizeUrl, account) {
      const asked = new URL(authorizeUrl);
      const redirectUri = asked.searchParams.get('redirect_uri')!;
      const code = `rich-code-${randomBytes(12).toString('hex')}`;
      codes.set(code, {
        account,
        challenge: asked.searchParams.get('code_challenge') ?? '',
        redirectUri,
      });
      issued.push(code);
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', asked.searchParams.get('state')!);
      return back.toString();
    },
    close: () => app.close(),
  };
}
