import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FaultState } from '@mch/plugin-sdk/sandbox-kit';
import { authenticate, type Account } from './accounts.ts';
import { extractData, MAX_INPUT_VARS } from './body.ts';
import type { SandboxContext } from './context.ts';
import { fail, type Envelope } from './envelope.ts';
import type { EmagFaults } from './faults.ts';
import { MSG } from './messages.ts';
import { findPlatform, platformOfHost, type Platform } from './platforms.ts';
import type { AccountRateLimits, RateGroup } from './rate-limits.ts';

/**
 * The API surface: `POST MARKETPLACE_API_URL/{resource}/{action}` (API doc 1.2, 1.3), where
 * MARKETPLACE_API_URL, the platform's, is any of:
 * - `{url}/{platform}/api-3` — one prefix per platform;
 * - the platform's real host name (`https://marketplace-ro-api.fashiondays.com/api-3` …) when the
 *   request's Host header carries it, as a hosts-file entry pointing there would;
 * - `{url}` or `{url}/api-3` — the ready line's `url` as it is printed (SPEC "Interfaces": pointing
 *   EMAG_BASE_URL at it must just work): the credentials' account says which platform answers.
 * Every call goes through the same gate, in the order eMAG's front end applies it: credentials
 * (401), rate limit per account (429, invalid requests included), IP whitelist, body decoding.
 */
export interface ApiCall {
  account: Account;
  data: unknown;
  params: Record<string, string>;
  ctx: SandboxContext;
}

export type ApiHandler = (call: ApiCall) => Envelope | Promise<Envelope>;

export interface ApiRoute {
  /** Path after `/{platform}/api-3/`, Fastify syntax (`order/acknowledge/:id`). */
  path: string;
  group: RateGroup;
  /** POST unless the doc says otherwise (`offer_stock` is a PATCH, API doc 3). */
  method?: 'POST' | 'PATCH';
  handler: ApiHandler;
}

/** Marks a JSON body that did not parse, so the gate can answer with eMAG's envelope. */
export const INVALID_JSON = Symbol('invalid-json');

export interface ApiOptions {
  ctx: SandboxContext;
  faults: FaultState<EmagFaults>;
  limits: AccountRateLimits | undefined;
}

export function registerApi(app: FastifyInstance, routes: readonly ApiRoute[], options: ApiOptions): void {
  const { ctx, faults, limits } = options;
  for (const route of routes) {
    const handle = async (request: FastifyRequest, reply: FastifyReply) => {
      const params = request.params as Record<string, string>;
      let platform: Platform | undefined;
      if (params.platform !== undefined) {
        platform = findPlatform(params.platform);
        if (!platform) return reply.code(404).send(fail(`Unknown platform "${params.platform}"`));
      } else platform = platformOfHost(request.headers.host);
      const auth = authenticate(request.headers.authorization, platform?.id);
      if (!auth.ok) return reply.code(401).send(fail(MSG.notAllowed));
      const { account } = auth;
      if (limits) {
        const verdict = limits.hit(route.group, account.key);
        void reply.headers(verdict.headers);
        if (!verdict.allowed) {
          ctx.ledger.breach(account.key);
          return reply.code(429).send({ message: MSG.rateLimited });
        }
      }
      if (faults.get().ipNotWhitelisted) return reply.send(fail(MSG.invalidIp(request.ip)));
      if (request.body === INVALID_JSON) return reply.send(fail('Invalid JSON in request body'));
      const parsed = extractData(request.body, request.headers['content-type']);
      if (!parsed.ok) return reply.send(fail(parsed.message));
      if (parsed.inputVars > MAX_INPUT_VARS) return reply.send(fail(MSG.tooManyVars));
      return reply.send(await route.handler({ account, data: parsed.data, params, ctx }));
    };
    const method = route.method ?? 'POST';
    for (const url of [`/:platform/api-3/${route.path}`, `/api-3/${route.path}`, `/${route.path}`])
      app.route({ method, url, handler: handle });
  }
}
