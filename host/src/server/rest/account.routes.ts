import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listApiTokens, revokeTokenFor } from '../../tenancy/api-token-admin.ts';
import { requirePrincipal, type RestDeps } from './rest-caller.ts';
import { parseInput } from './rest-input.ts';

const TokenParams = z.object({ id: z.uuid() });

/**
 * The caller's API tokens over REST: list them, revoke one (e.g. a script retiring its own token).
 * Creating tokens needs a console sign-in (tRPC `account.createToken`): a token must not mint more.
 */
export function registerAccountRoutes(app: FastifyInstance, deps: RestDeps): void {
  const fork = () => deps.services.db.orm.em.fork();

  app.get('/api/v1/account/tokens', async (request) => {
    const principal = await requirePrincipal(deps, request);
    return { tokens: await listApiTokens({ em: fork(), actor: principal, userId: principal.userId }) };
  });

  app.delete<{ Params: { id: string } }>('/api/v1/account/tokens/:id', async (request) => {
    const principal = await requirePrincipal(deps, request);
    const { id } = parseInput(TokenParams, request.params, 'path');
    return { token: await revokeTokenFor({ em: fork(), actor: principal, id }) };
  });
}
