import type { Socket } from 'node:net';
import formbody from '@fastify/formbody';
import {
  createFaultState,
  createLedger,
  keepSandboxState,
  listen,
  loadSandboxState,
  registerControlRoutes,
  registerFaultHook,
  registerRequestCounter,
  type RunningSandbox,
  type SandboxOptions,
  type StartSandbox,
} from '@mch/plugin-sdk/sandbox-kit';
import Fastify from 'fastify';
import { ALLEGRO_BETA_MEDIA_TYPE, ALLEGRO_MEDIA_TYPE, type ApiDeps } from './api/context.ts';
import { registerCustomerReturnRoutes } from './api/customer-returns.routes.ts';
import { registerFulfillmentRoutes } from './api/fulfillment.routes.ts';
import { registerInvoiceRoutes } from './api/invoices.routes.ts';
import { registerOrderRoutes } from './api/orders.routes.ts';
import { registerRefundRoutes } from './api/refunds.routes.ts';
import { registerSellerRoutes } from './api/seller.routes.ts';
import { resolveConfig } from './config.ts';
import { allegroState, registerAllegroControlRoutes } from './control.routes.ts';
import { makeAccounts } from './data/accounts.ts';
import { errorsBody, faultBody } from './errors.ts';
import { allegroFaultsSchema } from './faults.ts';
import { registerAuthorizeRoutes } from './oauth/authorize.routes.ts';
import { registerTokenRoute } from './oauth/token.routes.ts';
import { createAllegroRateLimiter } from './rate-limit.ts';
import { TokenAuthority, type TokensSnapshot } from './oauth/tokens.ts';
import { AccountReturns, type AccountReturnsSnapshot } from './returns-store.ts';
import { AccountOrders, type AccountOrdersSnapshot } from './store.ts';

export { DEFAULT_REDIRECT_URI } from './config.ts';
export { allegroFaultsSchema, type AllegroFaults } from './faults.ts';

/** Opens a DELIVERED return on a random eligible order of a random account (a few tries). */
function openRandomReturn(returns: AccountReturns[]): void {
  for (let attempt = 0; attempt < 50; attempt++) {
    const account = returns[Math.floor(Math.random() * returns.length)];
    if (!account || account.orders.size === 0) return;
    const index = Math.floor(Math.random() * account.orders.size);
    if (!account.eligible(index)) continue;
    const form = account.orders.form(index) as { lineItems: { id: string; quantity: number }[] };
    const line = form.lineItems[Math.floor(Math.random() * form.lineItems.length)];
    if (!line) continue;
    account.open({ index, items: [{ lineItemId: line.id, quantity: 1 }], status: 'DELIVERED' });
    return;
  }
}

/**
 * What the sandbox keeps in `options.stateDir` across restarts: the clock's start (so seeded orders
 * keep their dates), each seller's orders, returns and refunds as changed or added, and the tokens
 * it issued — as Allegro itself does not forget a seller's consent when a client restarts.
 */
interface SavedState {
  anchorMs: number;
  orders: AccountOrdersSnapshot[];
  returns: AccountReturnsSnapshot[];
  tokens: TokensSnapshot;
}
const STATE_VERSION = 1;

/** Bodies above this never reach a route; invoice files over 3 MB get Allegro's 413 from the route. */
const BODY_LIMIT = 8 * 1024 * 1024;

/**
 * Starts the Allegro sandbox: one Fastify server answering the REST API, the OAuth pages
 * (`/auth/oauth/authorize`, `/auth/oauth/token`) and the control endpoint (`/__sandbox/*`), so
 * its `url` serves as both ALLEGRO_API_URL and ALLEGRO_AUTH_URL. Options: see `SandboxOptions`
 * and `allegroExtraSchema` (config.ts) for `extra`; faults: `allegroFaultsSchema`.
 */
export const startSandbox: StartSandbox = async (options: SandboxOptions = {}): Promise<RunningSandbox> => {
  const config = resolveConfig(options);
  const saved = loadSandboxState<SavedState>({ dir: options.stateDir, version: STATE_VERSION });
  if (saved) config.anchorMs = saved.anchorMs;
  const accounts = makeAccounts(config.seed, config.accounts);
  const stores = accounts.map(
    (account, accountIndex) =>
      new AccountOrders({
        seed: config.seed,
        account,
        accountIndex,
        orders: config.orders,
        anchor: config.anchorMs,
      }),
  );
  const returns = stores.map((orders) => new AccountReturns({ orders, seededReturns: config.seededReturns }));
  stores.forEach((store, i) => {
    const kept = saved?.orders[i];
    if (kept) store.restore(kept);
  });
  returns.forEach((store, i) => {
    const kept = saved?.returns[i];
    if (kept) store.restore(kept);
  });
  const ledger = createLedger();
  const faults = createFaultState({
    schema: allegroFaultsSchema,
    initial: options.faults,
    seed: config.seed,
    onChange: (f) => stores.forEach((s) => s.mergeNewest(f.mergedOrders)),
  });
  stores.forEach((s) => s.mergeNewest(faults.get().mergedOrders));
  const limiter = createAllegroRateLimiter(config.rateLimit);
  const authority = new TokenAuthority({
    seed: config.seed,
    accounts,
    codeTtlMs: config.codeTtlMs,
    refreshGraceMs: config.refreshGraceMs,
    accessTtlSec: config.accessTtlSec,
    refreshTtlSec: config.refreshTtlSec,
  });
  if (saved) authority.restore(saved.tokens);
  const kept = keepSandboxState({
    dir: options.stateDir,
    version: STATE_VERSION,
    snapshot: (): SavedState => ({
      anchorMs: config.anchorMs,
      orders: stores.map((s) => s.snapshot()),
      returns: returns.map((r) => r.snapshot()),
      tokens: authority.snapshot(),
    }),
  });
  const deps: ApiDeps = { config, stores, authority, limiter, ledger, faults, returns };

  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT });
  await app.register(formbody);
  app.addContentTypeParser(
    [ALLEGRO_MEDIA_TYPE, ALLEGRO_BETA_MEDIA_TYPE],
    { parseAs: 'string' },
    (_req, body, done) => {
      try {
        done(null, body === '' ? undefined : JSON.parse(String(body)));
      } catch {
        done(Object.assign(new Error('Malformed JSON body'), { statusCode: 400 }), undefined);
      }
    },
  );
  app.addContentTypeParser(
    'application/pdf',
    { parseAs: 'buffer', bodyLimit: BODY_LIMIT },
    (_req, body, done) => done(null, body),
  );
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(
        errorsBody('NotFoundException', `No resource for ${request.method} ${request.url.split('?')[0]}`),
      ),
  );
  app.setErrorHandler((error: { statusCode?: number; message?: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    const code =
      status === 413 ? 'FILE_TOO_LARGE' : status < 500 ? 'BAD_REQUEST' : 'InternalServerErrorException';
    return reply.code(status).send(errorsBody(code, error.message ?? 'Request failed'));
  });

  // Allegro answers API errors with its versioned media type too, not plain JSON: the beta one
  // on the beta customer-returns resources (OpenAPI content types).
  app.addHook('onSend', async (request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (
      typeof type === 'string' &&
      type.startsWith('application/json') &&
      !request.url.startsWith('/__sandbox') &&
      !request.url.startsWith('/auth/')
    ) {
      reply.header(
        'content-type',
        request.url.startsWith('/order/customer-returns') ? ALLEGRO_BETA_MEDIA_TYPE : ALLEGRO_MEDIA_TYPE,
      );
    }
    return payload;
  });
  registerRequestCounter(app, { ledger });
  // The "hangRoutes" fault: chosen routes never answer (sockets dropped when the sandbox closes).
  const hung = new Set<Socket>();
  app.addHook('preHandler', async (request) => {
    const f = faults.get();
    if (f.hangRoutes.length === 0) return;
    if (!f.hangRoutes.includes(`${request.method} ${request.routeOptions.url ?? '*'}`)) return;
    const socket = request.raw.socket;
    hung.add(socket);
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    hung.delete(socket);
    // The caller is gone: nothing of this request takes effect.
    throw new Error('The client closed the connection of a hung request.');
  });
  app.addHook('preClose', (done) => {
    for (const socket of hung) socket.destroy();
    done();
  });
  // The "lost answers" fault: the request took effect, its answer never reaches the client.
  app.addHook('onSend', async (request, _reply, payload) => {
    const f = faults.get();
    if (f.lostAnswers <= 0 || request.url.startsWith('/__sandbox') || request.url.startsWith('/auth/'))
      return payload;
    const route = `${request.method} ${request.routeOptions.url ?? '*'}`;
    if (f.lostAnswerRoutes.length > 0 && !f.lostAnswerRoutes.includes(route)) return payload;
    faults.update({ lostAnswers: f.lostAnswers - 1 });
    request.raw.socket.destroy();
    return payload;
  });
  registerFaultHook(app, {
    faults,
    errorBody: faultBody,
    // A person approving on the consent page is not the API under test.
    ignorePrefixes: ['/__sandbox', '/auth/oauth/authorize'],
  });
  registerControlRoutes(app, {
    ledger,
    faults,
    state: allegroState({ config, stores, limiter }),
    onReset: () => limiter.reset(),
  });
  registerAllegroControlRoutes(app, { config, stores, authority, limiter, returns });
  registerAuthorizeRoutes(app, { config, accounts, authority });
  registerTokenRoute(app, { config, authority });
  registerOrderRoutes(app, deps);
  registerInvoiceRoutes(app, deps);
  registerFulfillmentRoutes(app, deps);
  registerSellerRoutes(app, deps);
  registerCustomerReturnRoutes(app, deps);
  registerRefundRoutes(app, deps);

  let trade: NodeJS.Timeout | undefined;
  if (config.liveTradeMs > 0) {
    let tick = 0;
    trade = setInterval(() => {
      const store = stores[tick++ % stores.length];
      store?.addOrders(1);
    }, config.liveTradeMs);
    trade.unref();
  }
  // Demo: buyers send things back now and then (a DELIVERED return on a random sent order).
  let returnTimer: NodeJS.Timeout | undefined;
  if (config.returnEveryMs > 0) {
    returnTimer = setInterval(() => openRandomReturn(returns), config.returnEveryMs);
    returnTimer.unref();
  }

  // Demo: now and then a buyer cancels an order that was not sent yet (after it was invoiced).
  let cancelTimer: NodeJS.Timeout | undefined;
  if (config.buyerCancelEveryMs > 0) {
    let tick = 0;
    cancelTimer = setInterval(() => {
      const store = stores[tick++ % stores.length];
      const index = store?.newestCancellable();
      if (store && index !== null && index !== undefined) store.buyerCancel(index);
    }, config.buyerCancelEveryMs);
    cancelTimer.unref();
  }

  const url = await listen(app, { port: options.port, host: options.host });
  return {
    url,
    controlUrl: `${url}/__sandbox`,
    credentials: {
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      redirectUri: config.redirectUri,
    },
    async close() {
      if (trade) clearInterval(trade);
      if (returnTimer) clearInterval(returnTimer);
      if (cancelTimer) clearInterval(cancelTimer);
      await app.close();
      kept.close();
    },
  };
};
