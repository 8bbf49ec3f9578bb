import type { FastifyInstance } from 'fastify';

/**
 * The sandbox's record of what a client did to it: requests per route, rate-limit breaches, and
 * every effect a seller's system caused (invoice created, file uploaded, status changed…). Tests
 * read it through `GET /__sandbox/state` to assert "exactly once" and "no limit broken".
 */
export interface Effect {
  /** 1-based sequence number, in the order effects happened. */
  seq: number;
  /** ISO timestamp. */
  at: string;
  /** What happened, e.g. `invoice.created`, `invoice.file_uploaded`, `fulfillment.updated`. */
  kind: string;
  /** Which seller account / user it touched, when the marketplace has several. */
  account?: string;
  /** The entity it touched (order id, invoice id…). */
  target?: string;
  data?: Record<string, unknown>;
}

export type EffectInput = Omit<Effect, 'seq' | 'at'>;

export interface LedgerSnapshot {
  /** `"GET /order/checkout-forms": 12` — keyed by method and route pattern, not raw URL. */
  requests: Record<string, number>;
  /** Requests a client sent while over a rate limit or blocked. */
  breaches: number;
  /** Breaches per rate-limit key (client id, account…). */
  breachesByKey: Record<string, number>;
  effects: Effect[];
}

export interface Ledger {
  countRequest(route: string): void;
  breach(key: string): void;
  record(effect: EffectInput): Effect;
  /** Effects of one kind (all when `kind` is omitted). */
  effects(kind?: string): Effect[];
  snapshot(): LedgerSnapshot;
  reset(): void;
}

export function createLedger(): Ledger {
  let requests = new Map<string, number>();
  let breachesByKey = new Map<string, number>();
  let effects: Effect[] = [];
  return {
    countRequest(route) {
      requests.set(route, (requests.get(route) ?? 0) + 1);
    },
    breach(key) {
      breachesByKey.set(key, (breachesByKey.get(key) ?? 0) + 1);
    },
    record(input) {
      const effect: Effect = { seq: effects.length + 1, at: new Date().toISOString(), ...input };
      effects.push(effect);
      return effect;
    },
    effects: (kind) => (kind === undefined ? [...effects] : effects.filter((e) => e.kind === kind)),
    snapshot() {
      const byKey = Object.fromEntries(breachesByKey);
      return {
        requests: Object.fromEntries(requests),
        breaches: Object.values(byKey).reduce((sum, n) => sum + n, 0),
        breachesByKey: byKey,
        effects: [...effects],
      };
    },
    reset() {
      requests = new Map();
      breachesByKey = new Map();
      effects = [];
    },
  };
}

/**
 * Counts every request by `METHOD /route/pattern` (unmatched URLs as `METHOD *`), except those
 * whose URL starts with one of `ignorePrefixes` (the control endpoint by default).
 */
export function registerRequestCounter(
  app: FastifyInstance,
  options: { ledger: Ledger; ignorePrefixes?: string[] },
): void {
  const ignore = options.ignorePrefixes ?? ['/__sandbox'];
  app.addHook('onRequest', (request, _reply, done) => {
    if (!ignore.some((p) => request.url.startsWith(p))) {
      options.ledger.countRequest(`${request.method} ${request.routeOptions.url ?? '*'}`);
    }
    done();
  });
}
