import { ConfigError, RefusedError, type JobOutput, type PluginContext } from '@mch/plugin-sdk';
import { emag, refusedByEmag } from './emag-api.ts';
import { orderTypes, readOrders } from './orders.ts';
import { platformCurrency } from './platforms.ts';
import type { EmagRma, EmagSettings } from './types.ts';

export const RMA_OPERATION = 'rma-status';
const RETURNS_KEY = 'returns.list';
const PAGE = 100;

/** request_status (API doc "Return request fields"). */
export const RMA_STATUS: Record<number, string> = {
  1: 'incomplete',
  2: 'new',
  3: 'approved',
  4: 'refused',
  5: 'canceled',
  6: 'received',
  7: 'finalized',
};

/** The moves a seller may make (API doc "Processing return requests"): 2→3|5, 3→5|6, 6→4|7. */
export const RMA_MOVES: Readonly<Record<number, readonly number[]>> = { 2: [3, 5], 3: [5, 6], 6: [4, 7] };

/** What a seller does to a return by moving it to each status, in words. */
const RMA_VERB: Readonly<Record<number, string>> = {
  3: 'approved',
  4: 'refused',
  5: 'cancelled',
  6: 'marked as received',
  7: 'finalised',
};

/** eMAG's moves (RMA_MOVES) as a seller reads them. */
const RMA_RULES =
  'eMAG lets a seller approve or cancel a new return, cancel an approved one or mark it as received, and refuse or finalise a received one.';

export function rmaMoveRefusal(from: number, to: number): string | undefined {
  if ((RMA_MOVES[from] ?? []).includes(to)) return undefined;
  const allowed = (RMA_MOVES[from] ?? []).map((s) => RMA_VERB[s]).join(' or ');
  return `A ${RMA_STATUS[from] ?? 'such'} return cannot be ${RMA_VERB[to] ?? `set to “${RMA_STATUS[to] ?? to}”`}; ${
    allowed ? `it can only be ${allowed}` : 'nothing more can be done with it'
  }.`;
}

/**
 * A return not finalised within 14 days of its request is closed "with incident" and counts
 * against the seller's account health (reference README "eMAG", Returns).
 */
export const RMA_DEADLINE_DAYS = 14;
const DAY_MS = 86_400_000;
/** Statuses that close a return: nothing more to do. */
const CLOSED = new Set([4, 5, 7]);

export interface ReturnProductView {
  /** eMAG's return line id (rma/read products[].id). */
  id: number;
  productId: string | null;
  name: string;
  quantity: number;
  returnReason: number | null;
  observations: string | null;
}

export interface ReturnView {
  id: number;
  orderId: number;
  status: number;
  statusName: string;
  date?: unknown;
  customer: string | null;
  products: ReturnProductView[];
  /** Refund value eMAG states for the return (sum of the products'), when it states one. */
  refundValue: string | null;
  /** When the return must be finalised by (ISO), and the whole days left (negative: overdue). */
  deadline: string | null;
  daysLeft: number | null;
  /** The statuses the seller may move it to now (API doc "Processing return requests"). */
  allowedMoves: { status: number; name: string }[];
}

/** eMAG writes dates as `YYYY-mm-dd HH:ii:ss`, Romanian time; read as UTC (a day's precision suffices). */
function parseEmagDate(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value.replace(' ', 'T') + 'Z');
  return Number.isFinite(ms) ? ms : null;
}

/** A scalar field as text; null when absent or not a scalar. */
const scalar = (v: unknown): string | null =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' ? String(v) : null;

export function returnView(r: EmagRma, now = Date.now()): ReturnView {
  const status = Number(r.request_status);
  const created = parseEmagDate(r.date);
  const deadline = created === null || CLOSED.has(status) ? null : created + RMA_DEADLINE_DAYS * DAY_MS;
  const products = (Array.isArray(r.products) ? (r.products as Record<string, unknown>[]) : []).map(
    (p): ReturnProductView => ({
      id: Number(p.id),
      productId: scalar(p.product_id),
      name: scalar(p.product_name) ?? '',
      quantity: Number(p.quantity ?? 0),
      returnReason:
        p.return_reason === undefined || p.return_reason === null ? null : Number(p.return_reason),
      observations: typeof p.observations === 'string' && p.observations ? p.observations : null,
    }),
  );
  const refunds = (Array.isArray(r.products) ? (r.products as Record<string, unknown>[]) : [])
    .map((p) => p.refund_value)
    .filter((v) => v !== null && v !== undefined && v !== '');
  return {
    id: Number(r.emag_id),
    orderId: Number(r.order_id),
    status,
    statusName: RMA_STATUS[status] ?? 'unknown',
    date: r.date,
    customer: typeof r.customer_name === 'string' ? r.customer_name : null,
    products,
    refundValue: refunds.length ? refunds.reduce<number>((a, v) => a + Number(v), 0).toFixed(4) : null,
    deadline: deadline === null ? null : new Date(deadline).toISOString(),
    daysLeft: deadline === null ? null : Math.floor((deadline - now) / DAY_MS),
    allowedMoves: (RMA_MOVES[status] ?? []).map((to) => ({ status: to, name: RMA_STATUS[to]! })),
  };
}

/** Every return request of the account (`rma/read`, paged), kept for `listReturns`. */
export async function syncReturns(ctx: PluginContext): Promise<JobOutput> {
  const all: ReturnView[] = [];
  for (let page = 1; ; page++) {
    ctx.signal.throwIfAborted();
    const rmas = await emag<EmagRma[]>(ctx, {
      path: 'rma/read',
      data: { currentPage: page, itemsPerPage: PAGE },
      idempotent: true,
    });
    all.push(...rmas.map((r) => returnView(r)));
    if (rmas.length < PAGE) break;
  }
  await ctx.store.set(RETURNS_KEY, all);
  return { counts: { returns: all.length } };
}

/** The returns last synced, optionally only one status. */
export async function listReturns(
  ctx: PluginContext,
  input: { status?: number },
): Promise<{ returns: ReturnView[]; items: Record<string, unknown>[] }> {
  const all = (await ctx.store.get<ReturnView[]>(RETURNS_KEY)) ?? [];
  const returns = input.status === undefined ? all : all.filter((r) => r.status === input.status);
  // `items`: the manifest's generic list (subject role `list`) the console renders.
  return {
    returns,
    items: returns.map((r) => ({
      id: r.id,
      status: r.status,
      statusLabel: r.statusName,
      orderId: String(r.orderId),
      buyer: r.customer,
      amount: r.refundValue,
      // eMAG's RMA states no currency: refunds are in the platform's at the return's date (as orders).
      currency: platformCurrency(ctx.settings, typeof r.date === 'string' ? r.date : undefined),
      deadline: r.deadline,
      daysLeft: r.daysLeft,
      createdAt: typeof r.date === 'string' ? r.date : null,
      lines: r.products.map((p) => `${p.quantity} × ${p.name}`),
    })),
  };
}

/** What came back of each return line when finalising (by eMAG's return line id); default: all of it. */
export interface ReceivedProduct {
  id: number;
  quantity: number;
}

interface ReturnedLine {
  position: number;
  quantity: number;
  name: string;
}

/**
 * The invoice lines a finalised return corrects: each returned product found on its order (by the
 * seller's product id) at its invoice position — active products in eMAG's order, as the invoice
 * lists them (invoice-lines.ts). Refused (nothing sent) when a line is unknown, or more units are
 * said to come back than the return holds or the order sold.
 */
async function returnedLines(
  ctx: PluginContext,
  rma: EmagRma,
  received: readonly ReceivedProduct[] | undefined,
): Promise<ReturnedLine[]> {
  const view = returnView(rma);
  const wanted = received ?? view.products.map((p) => ({ id: p.id, quantity: p.quantity }));
  const [order] = await readOrders(ctx, { id: rma.order_id, type: await returnType(ctx, rma) });
  if (!order)
    throw new ConfigError(`The order ${String(rma.order_id)} of return ${view.id} was not found on eMAG.`);
  const active = ((order.products ?? []) as Record<string, unknown>[]).filter((p) => Number(p.status) === 1);
  return wanted.map((w, i) => {
    const product = view.products.find((p) => p.id === w.id);
    if (!product)
      throw new ConfigError(
        `Return ${view.id} has no product line ${w.id}; its lines are ${view.products.map((p) => p.id).join(', ')}.`,
        { pointer: `/products/${i}/id` },
      );
    if (!Number.isInteger(w.quantity) || w.quantity < 1)
      throw new ConfigError(
        `The quantity received of ${product.name} must be a whole number of at least 1.`,
        {
          pointer: `/products/${i}/quantity`,
        },
      );
    if (w.quantity > product.quantity)
      throw new ConfigError(
        `${w.quantity} × ${product.name} cannot come back: the return holds ${product.quantity}.`,
        { pointer: `/products/${i}/quantity` },
      );
    const index = active.findIndex((p) => String(p.product_id) === product.productId);
    if (index < 0)
      throw new ConfigError(
        `${product.name} (product ${product.productId ?? '?'}) is not on order ${order.id}; it cannot be corrected.`,
      );
    const sold = Number(active[index]!.quantity ?? 1);
    if (w.quantity > sold)
      throw new ConfigError(
        `${w.quantity} × ${product.name} cannot come back: order ${order.id} sold ${sold}.`,
        {
          pointer: `/products/${i}/quantity`,
        },
      );
    return { position: index + 1, quantity: w.quantity, name: product.name };
  });
}

/**
 * Moves a return to a new status, only along eMAG's allowed transitions: a move no status allows,
 * or one the return's current status does not allow, is refused with the rule in words before any
 * save (RefusedError: the caller answers 409, nothing recorded, nothing changes). Recorded as an
 * outbound operation per (return, target status), so it takes effect once. Finalising (7) a return
 * with products issues the correction of exactly what came back (key `rma-<id>`: once, also when
 * the finalisation is retried after a crash).
 */
export async function moveReturn(
  ctx: PluginContext,
  input: { rmaId: number; status: number; products?: ReceivedProduct[] },
): Promise<Record<string, unknown>> {
  const reachable = Object.values(RMA_MOVES).some((to) => to.includes(input.status));
  if (!reachable)
    throw new RefusedError(
      `A seller cannot set a return to “${RMA_STATUS[input.status] ?? input.status}”: ${RMA_RULES}`,
    );
  if (input.products && input.status !== 7)
    throw new ConfigError('Products received are given only when finalising a return.', {
      pointer: '/products',
    });
  const [rma] = await emag<EmagRma[]>(ctx, {
    path: 'rma/read',
    data: { emag_id: input.rmaId },
    idempotent: true,
  });
  if (!rma) throw new ConfigError(`Return request ${input.rmaId} was not found on this account.`);
  const from = Number(rma.request_status);
  if (from !== input.status) {
    const refused = rmaMoveRefusal(from, input.status);
    if (refused) throw new RefusedError(`${refused} ${RMA_RULES}`);
  }
  const returned = input.status === 7 ? await returnedLines(ctx, rma, input.products) : [];
  const outcome = await ctx.outbound.once(
    { kind: RMA_OPERATION, key: `${input.rmaId}:${input.status}`, payload: { from, to: input.status } },
    async () => {
      if (from !== input.status) {
        // Same status sent again is a no-op on eMAG's side, so a retry after a crash is harmless.
        // `type` is required on rma/save since 4.4.8 (reference README "eMAG").
        await emag(ctx, {
          path: 'rma/save',
          data: [{ emag_id: input.rmaId, type: await returnType(ctx, rma), request_status: input.status }],
          idempotent: true,
        }).catch((error: unknown) => {
          throw refusedByEmag(
            error,
            `move return ${input.rmaId} to status ${input.status}`,
            'Read the return again (sync returns) and pick a move its current status allows.',
          );
        });
      }
      return { rmaId: input.rmaId, from, to: input.status };
    },
  );
  let correction: Record<string, unknown> | null = null;
  if (returned.length) {
    const issued = await ctx.corrections.request({
      externalOrderId: String(rma.order_id),
      key: `rma-${input.rmaId}`,
      kind: 'return',
      reason: `Retur eMAG ${input.rmaId}: ${returned.map((r) => `${r.quantity} × ${r.name}`).join(', ')}`,
      lines: returned.map((r) => ({ position: r.position, quantity: r.quantity })),
    });
    correction =
      issued.status === 'issued'
        ? { ...issued.correction, created: issued.created }
        : {
            status: 'no-invoice',
            message: `Order ${String(rma.order_id)} has no invoice here; nothing to correct.`,
          };
  }
  const list = (await ctx.store.get<ReturnView[]>(RETURNS_KEY)) ?? [];
  const known = list.find((r) => r.id === input.rmaId);
  if (known) {
    known.status = input.status;
    known.statusName = RMA_STATUS[input.status] ?? 'unknown';
    known.allowedMoves = (RMA_MOVES[input.status] ?? []).map((to) => ({ status: to, name: RMA_STATUS[to]! }));
    if (CLOSED.has(input.status)) {
      known.deadline = null;
      known.daysLeft = null;
    }
    await ctx.store.set(RETURNS_KEY, list);
  }
  return { ...(outcome.result as object), outcome: outcome.status, correction };
}

/**
 * A return's `type` (2 fulfilled by eMAG, 3 by the seller), as `rma/read` states it; else the
 * account's only order type, else its order's.
 */
async function returnType(ctx: PluginContext, rma: EmagRma): Promise<number> {
  const stated = Number(rma.type);
  if (stated === 2 || stated === 3) return stated;
  const types = orderTypes(ctx.settings as unknown as EmagSettings);
  if (types.length === 1) return types[0]!;
  for (const type of types) {
    const [order] = await readOrders(ctx, { id: rma.order_id, type });
    if (order) return order.type;
  }
  return 3;
}
