import { ConfigError, type JobOutput, type PluginContext } from '@mch/plugin-sdk';
import { emag, refusedByEmag } from './emag-api.ts';
import { orderTypes, readOrders } from './orders.ts';
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

export function rmaMoveRefusal(from: number, to: number): string | undefined {
  if ((RMA_MOVES[from] ?? []).includes(to)) return undefined;
  const allowed = (RMA_MOVES[from] ?? []).map((s) => `${s} (${RMA_STATUS[s]})`).join(' or ');
  return `A return in status ${from} (${RMA_STATUS[from] ?? '?'}) cannot move to ${to} (${RMA_STATUS[to] ?? '?'}); ${
    allowed ? `allowed: ${allowed}` : 'no move is allowed from it'
  }.`;
}

export interface ReturnView {
  id: number;
  orderId: number;
  status: number;
  statusName: string;
  date?: unknown;
}

const view = (r: EmagRma): ReturnView => ({
  id: Number(r.emag_id),
  orderId: Number(r.order_id),
  status: Number(r.request_status),
  statusName: RMA_STATUS[Number(r.request_status)] ?? 'unknown',
  date: r.date,
});

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
    all.push(...rmas.map(view));
    if (rmas.length < PAGE) break;
  }
  await ctx.store.set(RETURNS_KEY, all);
  return { counts: { returns: all.length } };
}

/** The returns last synced, optionally only one status. */
export async function listReturns(
  ctx: PluginContext,
  input: { status?: number },
): Promise<{ returns: ReturnView[] }> {
  const all = (await ctx.store.get<ReturnView[]>(RETURNS_KEY)) ?? [];
  return { returns: input.status === undefined ? all : all.filter((r) => r.status === input.status) };
}

/**
 * Moves a return to a new status, only along eMAG's allowed transitions: a move no status allows
 * is refused before any call, one the current status does not allow before any save. Recorded as
 * an outbound operation per (return, target status), so it takes effect once.
 */
export async function moveReturn(
  ctx: PluginContext,
  input: { rmaId: number; status: number },
): Promise<Record<string, unknown>> {
  const reachable = Object.values(RMA_MOVES).some((to) => to.includes(input.status));
  if (!reachable)
    throw new ConfigError(
      `No return can be moved to status ${input.status} (${RMA_STATUS[input.status] ?? '?'}); allowed moves are 2→3|5, 3→5|6, 6→4|7.`,
      { pointer: '/status' },
    );
  const [rma] = await emag<EmagRma[]>(ctx, {
    path: 'rma/read',
    data: { emag_id: input.rmaId },
    idempotent: true,
  });
  if (!rma) throw new ConfigError(`Return request ${input.rmaId} was not found on this account.`);
  const from = Number(rma.request_status);
  const outcome = await ctx.outbound.once(
    { kind: RMA_OPERATION, key: `${input.rmaId}:${input.status}`, payload: { from, to: input.status } },
    async () => {
      if (from !== input.status) {
        const refused = rmaMoveRefusal(from, input.status);
        if (refused) throw new ConfigError(refused, { pointer: '/status' });
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
  const list = (await ctx.store.get<ReturnView[]>(RETURNS_KEY)) ?? [];
  const known = list.find((r) => r.id === input.rmaId);
  if (known) {
    known.status = input.status;
    known.statusName = RMA_STATUS[input.status] ?? 'unknown';
    await ctx.store.set(RETURNS_KEY, list);
  }
  return { ...(outcome.result as object), outcome: outcome.status };
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
