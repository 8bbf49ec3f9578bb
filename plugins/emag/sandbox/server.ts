import Fastify, { type FastifyInstance } from 'fastify';
import {
  createFaultState,
  createLedger,
  keepSandboxState,
  loadSandboxState,
  registerControlRoutes,
  registerFaultHook,
  registerRequestCounter,
  type FaultState,
} from '@mch/plugin-sdk/sandbox-kit';
import { ACCOUNTS, findAccount } from './accounts.ts';
import { INVALID_JSON, registerApi } from './api.ts';
import type { SandboxContext } from './context.ts';
import { registerEmagControlRoutes } from './control-routes.ts';
import { fail } from './envelope.ts';
import { emagFaultsSchema, type EmagFaults } from './faults.ts';
import { MSG } from './messages.ts';
import { startTimers } from './timers.ts';
import { offerRoutes } from './offer-routes.ts';
import { createOfferStore } from './offer-store.ts';
import { orderRoutes } from './order-routes.ts';
import { createOrderStore, type OrderStoreSnapshot } from './order-store.ts';
import { createAccountRateLimits, PER_SECOND } from './rate-limits.ts';
import { rmaRoutes } from './rma-routes.ts';
import { createRmaStore, type RmaStoreSnapshot } from './rma-store.ts';

export interface EmagServerOptions {
  seed: string;
  /** Seeded orders per account. */
  orders: number;
  /** Offers per account (default 60). */
  offers?: number;
  faults?: Record<string, unknown>;
  rateLimit: boolean;
  callbackUrl?: string;
  /** Creation time of the newest seeded order; default: now. */
  anchor: number;
  /** Demo mode: place one new order on `newOrdersAccount` every N ms (off by default). */
  newOrdersEveryMs?: number;
  newOrdersAccount?: string;
  /** Demo mode: a customer opens a return on `newOrdersAccount` every N ms (off by default). */
  newReturnsEveryMs?: number;
  /** Demo mode: a customer cancels a new order on `newOrdersAccount` every N ms (off by default). */
  buyerCancelEveryMs?: number;
  /** Notify again every N ms about new orders not yet acknowledged (off by default). */
  callbackRetryMs?: number;
  /** The server's own base URL, known once it listens (for `GET /__sandbox/accounts`). */
  baseUrl: () => string;
  /** Where the sandbox keeps its orders and returns across restarts (`SandboxOptions.stateDir`). */
  stateDir?: string;
}

/**
 * Kept across restarts: the clock's start (seeded orders keep their ids and dates), and every
 * order and return as the seller and the buyers changed or added them — what eMAG itself keeps.
 */
interface SavedState {
  anchor: number;
  orders: OrderStoreSnapshot;
  rmas: RmaStoreSnapshot;
}
const STATE_VERSION = 1;

export interface EmagServer {
  app: FastifyInstance;
  ctx: SandboxContext;
  faults: FaultState<EmagFaults>;
}

export function buildServer(options: EmagServerOptions): EmagServer {
  const app = Fastify({ logger: false, bodyLimit: 20 * 1024 * 1024 });
  acceptEmagBodies(app);

  const ledger = createLedger();
  const faults = createFaultState({
    schema: emagFaultsSchema,
    initial: options.faults ?? {},
    seed: options.seed,
  });
  const saved = loadSandboxState<SavedState>({ dir: options.stateDir, version: STATE_VERSION });
  const anchor = saved?.anchor ?? options.anchor;
  const store = createOrderStore({
    seed: options.seed,
    ordersPerAccount: options.orders,
    anchor,
  });
  const ctx: SandboxContext = {
    seed: options.seed,
    store,
    rmas: createRmaStore(store),
    offers: createOfferStore({
      seed: options.seed,
      anchor,
      ...(options.offers ? { size: options.offers } : {}),
    }),
    ledger,
    callbackUrl: options.callbackUrl,
    pendingNotices: new Map(),
    now: () => Date.now(),
  };
  if (saved) {
    store.restore(saved.orders, ACCOUNTS);
    ctx.rmas.restore(saved.rmas);
  }
  const kept = keepSandboxState({
    dir: options.stateDir,
    version: STATE_VERSION,
    snapshot: (): SavedState => ({ anchor, orders: store.snapshot(), rmas: ctx.rmas.snapshot() }),
  });
  const limits = options.rateLimit ? createAccountRateLimits() : undefined;

  registerRequestCounter(app, { ledger });
  registerFaultHook(app, {
    faults,
    errorBody: (status) => (status === 429 ? { message: MSG.rateLimited } : fail('Internal server error')),
    tooManyHeaders: {
      'X-RateLimit-Limit-3second': String(PER_SECOND.orders * 3),
      'X-RateLimit-Remaining-3second': '0',
    },
  });
  registerApi(app, [...orderRoutes, ...rmaRoutes, ...offerRoutes], { ctx, faults, limits });
  registerControlRoutes(app, {
    ledger,
    faults,
    state: () => ({
      callbackUrl: ctx.callbackUrl ?? null,
      pendingNotices: [...ctx.pendingNotices.keys()],
      rateLimit: options.rateLimit
        ? { orders: PER_SECOND.orders, other: PER_SECOND.other, unit: 'req/s per account' }
        : false,
      ordersPerAccount: options.orders,
      offersPerAccount: ctx.offers.size,
      accounts: Object.fromEntries(
        ACCOUNTS.map((a) => {
          const acc = store.of(a);
          return [a.key, { orders: acc.count, added: acc.count - acc.seeded, changed: acc.overlay.size }];
        }),
      ),
    }),
    onReset: () => {
      store.reset();
      ctx.rmas.reset();
      ctx.offers.reset();
      limits?.reset();
      ctx.callbackUrl = options.callbackUrl;
      ctx.pendingNotices.clear();
    },
  });
  registerEmagControlRoutes(app, ctx, options.baseUrl);
  const newOrdersAccount = findAccount(options.newOrdersAccount ?? 'ro-main');
  if (!newOrdersAccount) throw new Error(`Unknown newOrdersAccount "${options.newOrdersAccount}"`);
  const stopTimers = startTimers(ctx, {
    newOrdersAccount,
    ...(options.newOrdersEveryMs ? { newOrdersEveryMs: options.newOrdersEveryMs } : {}),
    ...(options.newReturnsEveryMs ? { newReturnsEveryMs: options.newReturnsEveryMs } : {}),
    ...(options.buyerCancelEveryMs ? { buyerCancelEveryMs: options.buyerCancelEveryMs } : {}),
    ...(options.callbackRetryMs ? { callbackRetryMs: options.callbackRetryMs } : {}),
  });
  app.addHook('onClose', async () => {
    stopTimers();
    kept.close();
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(fail('Resource not found')));
  return { app, ctx, faults };
}

/** Form bodies stay strings (decoded by body.ts with PHP bracket rules); bad JSON reaches the gate. */
function acceptEmagBodies(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(null, INVALID_JSON);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, String(body)));
}
