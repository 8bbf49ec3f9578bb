import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AllegroSandboxConfig } from '../config.ts';
import type { SellerAccount } from '../data/accounts.ts';
import { ALL_SCOPES, type TokenAuthority } from './tokens.ts';

type Params = Partial<Record<string, string>>;

const escape = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}
label,select,button{display:block;margin:.5rem 0}button{padding:.5rem 1.5rem}</style></head>
<body><h1>${escape(title)}</h1>${body}</body></html>`;
}

function redirectWith(
  reply: FastifyReply,
  redirectUri: string,
  params: Record<string, string | undefined>,
): FastifyReply {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return reply.redirect(url.toString(), 302);
}

/**
 * The consent page of `GET /auth/oauth/authorize` (reference/README.md "OAuth"): checks the client
 * and the exact redirect URI (errors there are shown, never redirected), then lets a person pick a
 * seller account and press Approve (`#approve`) or Deny (`#deny`); the form posts back here.
 */
export function registerAuthorizeRoutes(
  app: FastifyInstance,
  deps: { config: AllegroSandboxConfig; accounts: SellerAccount[]; authority: TokenAuthority },
): void {
  const { config, accounts, authority } = deps;

  /** Problems that must not be redirected back (unknown client, wrong redirect URI). */
  const clientProblem = (p: Params): string | null => {
    if (p.client_id !== config.clientId) return 'Unknown client_id.';
    if (p.redirect_uri !== config.redirectUri)
      return 'redirect_uri does not match the one registered for this client.';
    return null;
  };
  /** Problems reported to the client through the redirect (RFC 6749 §4.1.2.1). */
  const requestProblem = (p: Params): string | null => {
    if (p.response_type !== 'code') return 'unsupported_response_type';
    if (p.code_challenge !== undefined && p.code_challenge_method !== 'S256') return 'invalid_request';
    if (p.code_challenge === undefined && p.code_challenge_method !== undefined) return 'invalid_request';
    return null;
  };

  app.get('/auth/oauth/authorize', async (request, reply) => {
    const p = request.query as Params;
    const problem = clientProblem(p);
    if (problem)
      return reply
        .code(400)
        .type('text/html')
        .send(page('Authorization error', `<p id="error">${escape(problem)}</p>`));
    const error = requestProblem(p);
    if (error) return redirectWith(reply, config.redirectUri, { error, state: p.state });
    const hidden = [
      'response_type',
      'client_id',
      'redirect_uri',
      'state',
      'code_challenge',
      'code_challenge_method',
      'scope',
    ]
      .filter((k) => p[k] !== undefined)
      .map((k) => `<input type="hidden" name="${k}" value="${escape(p[k] ?? '')}">`)
      .join('');
    const options = accounts
      .map((a, i) => `<option value="${i}">${escape(a.login)} (${escape(a.company.name)})</option>`)
      .join('');
    const body = `<p>The application <strong>${escape(config.clientId)}</strong> asks for access to your Allegro account.</p>
<form method="post" action="/auth/oauth/authorize">${hidden}
<label for="account">Seller account</label><select id="account" name="account">${options}</select>
<button type="submit" id="approve" name="decision" value="approve">Approve</button>
<button type="submit" id="deny" name="decision" value="deny">Deny</button></form>`;
    return reply.type('text/html').send(page('Allegro Sandbox — authorize application', body));
  });

  app.post('/auth/oauth/authorize', async (request, reply) => {
    const p = (request.body ?? {}) as Params;
    const problem = clientProblem(p);
    if (problem)
      return reply
        .code(400)
        .type('text/html')
        .send(page('Authorization error', `<p id="error">${escape(problem)}</p>`));
    const error = requestProblem(p);
    if (error) return redirectWith(reply, config.redirectUri, { error, state: p.state });
    if (p.decision !== 'approve')
      return redirectWith(reply, config.redirectUri, { error: 'access_denied', state: p.state });
    const accountIndex = Number(p.account ?? '0');
    if (!Number.isInteger(accountIndex) || !accounts[accountIndex]) {
      return reply
        .code(400)
        .type('text/html')
        .send(page('Authorization error', '<p id="error">Unknown seller account.</p>'));
    }
    const code = authority.issueCode({
      clientId: config.clientId,
      accountIndex,
      redirectUri: config.redirectUri,
      scope: p.scope?.trim() ? p.scope.trim() : ALL_SCOPES.join(' '),
      challenge: p.code_challenge,
    });
    return redirectWith(reply, config.redirectUri, { code, state: p.state });
  });
}
