import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Principal, RequestContext } from '../api/context.ts';
import { registerLoginAdmission } from '../api/login-admission.ts';
import { appRouter, type AppRouter } from '../api/router.ts';
import { passwordHashGate } from '../auth/password.ts';
import type { HostServices } from '../app/services.ts';
import { registerCrossOriginProtection } from './cross-origin.ts';
import { registerErrorHandling } from './error-handler.ts';
import { registerHealthRoutes } from './health.routes.ts';
import { registerInputGuards } from './input-guards.ts';
import { SafeLogController } from './request-log.ts';
import { registerSecurityHeaders } from './security-headers.ts';

export type ResolvePrincipal = (request: FastifyRequest) => Promise<Principal | null>;

/** A route as registered, for tests that must cover every route (the cross-tenant walk). */
export interface RegisteredRoute {
  method: string;
  url: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    registeredRoutes: RegisteredRoute[];
  }
}

export interface BuildServerOptions {
  services: HostServices;
  resolvePrincipal: ResolvePrincipal;
  /** A renewed session cookie to send with the response (sliding session expiry). */
  renewedCookie?: (request: FastifyRequest) => Promise<string | undefined>;
  /** More routes (REST, webhooks, OAuth callbacks), registered after the core ones. */
  routes?: ((app: FastifyInstance) => void | Promise<void>)[];
  /** The console's built static files; served at `/` with an SPA fallback when present. */
  consoleDir?: string;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export async function buildHttpServer(options: BuildServerOptions): Promise<FastifyInstance> {
  const { services } = options;
  // Typed as the default instance: pino's Logger is a FastifyBaseLogger, the generic just differs.
  // The casts are needed by tsc (Logger vs FastifyBaseLogger generics) though the linter's type
  // view disagrees.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  const app: FastifyInstance = Fastify({
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: services.logger as FastifyInstance['log'],
    // Honour a caller's request id when it is sane, so logs correlate across services.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: 5 * 1024 * 1024,
    // Batched tRPC calls name every procedure in the path (`/trpc/a,b,c`).
    maxParamLength: 5000,
    // Fastify's own lines would carry the raw URL, secrets included (OAuth codes, signed tokens).
    logController: new SafeLogController(),
    // X-Forwarded-For is believed only from the proxies named in TRUST_PROXY (login throttling keys on request.ip).
    trustProxy: services.env.trustProxy,
  }) as unknown as FastifyInstance;
  const registered: RegisteredRoute[] = [];
  app.decorate('registeredRoutes', registered);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) registered.push({ method, url: route.url });
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // Login and logout set their own cookie; otherwise extend the browser's copy of a slid session.
    if (options.renewedCookie && !reply.hasHeader('set-cookie')) {
      const cookie = await options.renewedCookie(request);
      if (cookie) reply.header('set-cookie', cookie);
    }
  });

  await app.register(cookie);
  const hasConsole = !!options.consoleDir && existsSync(join(options.consoleDir, 'index.html'));
  registerErrorHandling(app, { consoleShell: hasConsole });
  // Security (issue 11): headers on every response, CSRF checks, malformed input refused with 400.
  const publicUrl = () => services.env.publicUrl;
  registerSecurityHeaders(app, { consoleDir: hasConsole ? options.consoleDir : undefined, publicUrl });
  registerCrossOriginProtection(app, { publicUrl });
  registerInputGuards(app);
  // After the cross-origin checks: a forged sign-in is refused as such, not as a busy one.
  registerLoginAdmission(app, {
    limiter: () => services.loginLimiter,
    gate: passwordHashGate,
    logger: services.logger,
  });
  registerHealthRoutes(app, services);

  const createContext = async ({ req, res }: { req: FastifyRequest; res: RequestContext['reply'] }) => ({
    services,
    principal: await options.resolvePrincipal(req),
    requestId: req.id,
    log: req.log as RequestContext['log'],
    req,
    reply: res,
  });
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext,
      onError({ error, path }) {
        if (error.code === 'INTERNAL_SERVER_ERROR')
          services.logger.error({ err: error.cause ?? error, path }, 'tRPC procedure failed');
      },
    },
  } satisfies FastifyTRPCPluginOptions<AppRouter>);

  for (const register of options.routes ?? []) await register(app);

  if (hasConsole) await app.register(fastifyStatic, { root: options.consoleDir!, wildcard: false });
  return app;
}
