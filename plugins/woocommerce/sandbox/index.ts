import Fastify, { type FastifyReply } from 'fastify';
import {
  baseFaultsSchema,
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
} from '@mch/plugin-sdk/sandbox-kit';
import { registerApi, wpError } from './api.ts';
import { seedOrders, seededOrder } from './seed.ts';
import { createStore, type StoreSnapshot } from './store.ts';
import type { NewOrder, RefundSpec, StoreSettings, WooOrder, WooRefund } from './types.ts';

export type * from './types.ts';

/**
 * Fixed API keys of the sandbox store, shaped as WooCommerce issues them: `ck_` / `cs_` + 40 hex
 * characters (WC_Auth::create_keys: 'ck_' . wc_rand_hash(), 'cs_' . wc_rand_hash(); sha1 → 40 hex).
 */
export const CONSUMER_KEY = 'ck_5e1a0b7c3d9f4e2a8b6c0d1e2f3a4b5c6d7e8f90';
export const CONSUMER_SECRET = 'cs_9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6';

export interface WooSandbox extends RunningSandbox {
  credentials: { storeUrl: string; consumerKey: string; consumerSecret: string };
  /** Places an order (as the checkout would) and returns it as the API shows it. */
  addOrder(order: NewOrder): WooOrder;
  /** Changes an order's status (date_modified moves; `refunded` refunds what is left). */
  setStatus(id: number, status: string, at?: string): void;
  /** Refunds like wc_create_refund(); throws "Invalid refund amount." above what is left. */
  refund(orderId: number, spec: RefundSpec): WooRefund;
  order(id: number): WooOrder;
  orders(): WooOrder[];
  refunds(): WooRefund[];
  /** Requests the API served: method, path, query. */
  requests(): { method: string; path: string; query: Record<string, string> }[];
  /** Moves the sandbox's clock (ISO UTC), for creation/modification times; null = real time. */
  setClock(iso: string | null): void;
}

interface SavedState {
  store: StoreSnapshot;
}
const STATE_VERSION = 1;

/**
 * The WooCommerce REST API v3 sandbox (README.md in this folder lists every behaviour and its
 * source). `options.extra`: `pricesIncludeTax` (default true), `timezone` (default
 * 'Europe/Warsaw'), `taxRoundAtSubtotal` (default false), `newOrdersEveryMs` (demo: a new
 * processing order every N ms), `now` (ISO, the end of the seeded history, for reproducible seeds).
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<WooSandbox> {
  const extra = options.extra ?? {};
  const seed = String(options.seed ?? 'woocommerce');
  const settings: StoreSettings = {
    pricesIncludeTax: typeof extra.pricesIncludeTax === 'boolean' ? extra.pricesIncludeTax : true,
    timezone: typeof extra.timezone === 'string' ? extra.timezone : 'Europe/Warsaw',
    taxRoundAtSubtotal: extra.taxRoundAtSubtotal === true,
  };
  // Fails early on an unknown zone name.
  new Intl.DateTimeFormat('en', { timeZone: settings.timezone });
  // `extra.now` anchors the seeded history only (reproducible data); the clock runs in real time
  // unless setClock() / PUT /__sandbox/clock fixes it.
  const anchor =
    typeof extra.now === 'string' && !Number.isNaN(Date.parse(extra.now)) ? Date.parse(extra.now) : null;
  let fixedClock: number | null = null;
  const now = () => fixedClock ?? Date.now();

  let url = '';
  const store = createStore(settings, seed, () => url);
  const saved = loadSandboxState<SavedState>({ dir: options.stateDir, version: STATE_VERSION });
  const seedStore = () =>
    seedOrders(
      store,
      seed,
      options.orders ?? (typeof extra.orders === 'number' ? extra.orders : 0),
      anchor ?? now(),
    );
  if (saved) store.restore(saved.store);
  else seedStore();
  const kept = keepSandboxState({
    dir: options.stateDir,
    version: STATE_VERSION,
    snapshot: (): SavedState => ({ store: store.snapshot() }),
  });

  const app = Fastify({ logger: false });
  const ledger = createLedger();
  const faults = createFaultState({ schema: baseFaultsSchema, initial: options.faults ?? {}, seed });
  const requests: { method: string; path: string; query: Record<string, string> }[] = [];

  registerRequestCounter(app, { ledger });
  // WooCommerce has no rate limit of its own on the REST API v3: WC_REST_Authentication only
  // authenticates and checks the key's read/write permission, and the REST API docs
  // (https://woocommerce.github.io/woocommerce-rest-api-docs/) have no rate-limit section. (The
  // Store API's opt-in limiter, woocommerce_store_api_rate_limit_options, is another API.) So no
  // limiter here; an injected 429 (faults) stands for a host/WAF in front of the shop.
  // An injected 5xx looks like a PHP fatal error under the REST API: wp_die() through
  // _json_wp_die_handler with WP_Fatal_Error_Handler's message (wp-includes/functions.php,
  // class-wp-fatal-error-handler.php): code `internal_server_error`.
  registerFaultHook(app, {
    faults,
    errorBody: (status) =>
      status === 429
        ? wpError('rest_too_many_requests', 'Too many requests.', 429)
        : {
            ...wpError(
              'internal_server_error',
              '<p>There has been a critical error on this website.</p><p><a href="https://wordpress.org/documentation/article/faq-troubleshooting/">Learn more about troubleshooting WordPress.</a></p>',
              status,
            ),
            additional_errors: [],
          },
  });
  registerApi(app, {
    store,
    consumerKey: CONSUMER_KEY,
    consumerSecret: CONSUMER_SECRET,
    storeUrl: () => url,
    now,
    onRequest: (entry) => requests.push(entry),
  });
  registerControlRoutes(app, {
    ledger,
    faults,
    state: () => ({
      orders: store.all().length,
      refunds: store.refunds().length,
      settings,
      clock: new Date(now()).toISOString(),
    }),
    onReset: () => {
      store.reset();
      seedStore();
      requests.length = 0;
    },
  });

  const api = {
    addOrder(order: NewOrder): WooOrder {
      const o = store.addOrder(order, now());
      ledger.record({ kind: 'order.created', target: String(o.id) });
      return store.renderOrder(o, 2);
    },
    setStatus(id: number, status: string, at?: string): void {
      store.setStatus(id, status, at ? Date.parse(at) : now());
      ledger.record({ kind: 'order.status', target: String(id), data: { status } });
    },
    refund(orderId: number, spec: RefundSpec): WooRefund {
      const r = store.refund(orderId, spec, spec.at ? Date.parse(spec.at) : now());
      ledger.record({
        kind: 'order.refunded',
        target: String(orderId),
        data: { refund: r.id, amount: r.amount },
      });
      return store.renderRefund(r, 2, true);
    },
  };

  // Sandbox-only control routes for the programmatic API (tests in another process, demo tooling).
  const guard = async <T>(reply: FastifyReply, fn: () => T) => {
    try {
      return await fn();
    } catch (e) {
      return reply.code(400).send({ error: { code: 'SANDBOX_REFUSED', message: (e as Error).message } });
    }
  };
  app.post('/__sandbox/orders', async (request, reply) =>
    guard(reply, () => api.addOrder(request.body as NewOrder)),
  );
  app.post<{ Params: { id: string } }>('/__sandbox/orders/:id/refunds', async (request, reply) =>
    guard(reply, () => api.refund(Number(request.params.id), (request.body ?? {}) as RefundSpec)),
  );
  app.post<{ Params: { id: string } }>('/__sandbox/orders/:id/status', async (request, reply) =>
    guard(reply, () => {
      const body = (request.body ?? {}) as { status: string; at?: string };
      api.setStatus(Number(request.params.id), body.status, body.at);
      return store.renderOrder(store.get(Number(request.params.id))!, 2);
    }),
  );
  app.put('/__sandbox/clock', async (request) => {
    const body = (request.body ?? {}) as { now?: string | null };
    fixedClock = body.now ? Date.parse(body.now) : null;
    return { now: new Date(now()).toISOString(), fixed: fixedClock !== null };
  });

  let timer: NodeJS.Timeout | undefined;
  const every =
    typeof extra.newOrdersEveryMs === 'number' && extra.newOrdersEveryMs > 0 ? extra.newOrdersEveryMs : 0;
  if (every) {
    let n = 0;
    timer = setInterval(() => {
      const spec = seededOrder(`${seed}:live`, n++, now());
      const { status: _status, ...rest } = spec;
      api.addOrder({ ...rest, status: 'processing', createdAt: new Date(now()).toISOString() });
    }, every);
    timer.unref();
  }
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    kept.close();
  });

  url = await listen(app, {
    ...(options.port !== undefined ? { port: options.port } : {}),
    host: options.host ?? '127.0.0.1',
  });

  const need = (id: number) => {
    const o = store.get(id);
    if (!o) throw new Error(`No order ${id}.`);
    return o;
  };
  return {
    url,
    controlUrl: `${url}/__sandbox`,
    credentials: { storeUrl: url, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET },
    close: () => app.close(),
    ...api,
    order: (id) => store.renderOrder(need(id), 2),
    orders: () => store.all().map((o) => store.renderOrder(o, 2)),
    refunds: () => store.refunds().map((r) => store.renderRefund(r, 2, true)),
    requests: () => requests.map((r) => ({ ...r, query: { ...r.query } })),
    setClock(iso) {
      fixedClock = iso === null ? null : Date.parse(iso);
      if (fixedClock !== null && Number.isNaN(fixedClock)) throw new Error(`Bad clock "${iso}".`);
    },
  };
}
