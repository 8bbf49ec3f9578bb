import { ConfigError, RefusedError, type JobOutput, type PluginContext } from '@mch/plugin-sdk';
import { ALLEGRO_BETA, allegro, allegroChange } from './allegro-api.ts';
import { cents, decimal, planRefund, type RefundLineInput } from './refund-plan.ts';
import { refund, refundStarted } from './refunds.ts';
import type { CustomerReturn } from './types.ts';

const RETURNS_KEY = 'returns.list';
const REJECT_OPERATION = 'return-rejection';
/** Customer returns are a beta resource: they answer only to Allegro's beta media type (OpenAPI). */
const BETA = { accept: ALLEGRO_BETA };
const PAGE = 1000;
/** Returns older than this are closed long ago; the sync reads the last 90 days. */
const HORIZON_MS = 90 * 86_400_000;
const DAY_MS = 86_400_000;
/**
 * A consumer's withdrawal must be refunded within 14 days of the seller receiving it (Polish
 * Consumer Rights Act, art. 32(1); EU Directive 2011/83/EU art. 13): the return's form is that
 * statement, so its deadline runs from `createdAt`.
 */
export const REFUND_DEADLINE_DAYS = 14;

/** Statuses after which nothing is left to do (OpenAPI `GET /order/customer-returns` `status`). */
const CLOSED = new Set([
  'FINISHED',
  'FINISHED_APT',
  'REJECTED',
  'COMMISSION_REFUND_CLAIMED',
  'COMMISSION_REFUNDED',
]);

const STATUS_WORDS: Record<string, string> = {
  CREATED: 'created',
  DISPATCHED: 'sent by the buyer',
  IN_TRANSIT: 'on its way',
  DELIVERED: 'delivered to you',
  FINISHED: 'refunded',
  FINISHED_APT: 'refunded',
  REJECTED: 'refund refused',
  COMMISSION_REFUND_CLAIMED: 'commission refund claimed',
  COMMISSION_REFUNDED: 'commission refunded',
  WAREHOUSE_DELIVERED: 'delivered to the warehouse',
  WAREHOUSE_VERIFICATION: 'checked at the warehouse',
};

/** Rejection codes Allegro takes (OpenAPI `CustomerReturnRefundRejectionRequest`, #5644, #13203). */
export const REJECTION_CODES = [
  'REFUND_REJECTED',
  'NEW_ITEM_SENT',
  'ITEM_FIXED',
  'MISSING_PART_SENT',
  'ITEM_MISMATCH',
  'BUSINESS_PURCHASE',
  'NO_RETURN_RIGHT',
] as const;

export interface ReturnItemView {
  id: string;
  status: string;
  statusLabel: string;
  orderId: string;
  buyer: string | null;
  amount: string | null;
  currency: string | null;
  createdAt: string;
  deadline: string | null;
  daysLeft: number | null;
  lines: string[];
}

export function returnView(r: CustomerReturn, now = Date.now()): ReturnItemView {
  const created = Date.parse(r.createdAt);
  const deadline =
    CLOSED.has(r.status) || !Number.isFinite(created) ? null : created + REFUND_DEADLINE_DAYS * DAY_MS;
  const items = r.items ?? [];
  const currency = items.find((i) => i.price)?.price?.currency ?? null;
  const amount =
    items.every((i) => i.price) && items.length
      ? decimal(items.reduce((sum, i) => sum + cents(i.price!.amount) * i.quantity, 0))
      : null;
  return {
    id: r.id,
    status: r.status,
    statusLabel: STATUS_WORDS[r.status] ?? r.status.toLowerCase(),
    orderId: r.orderId,
    buyer: r.buyer?.login ?? r.buyer?.email ?? null,
    amount,
    currency,
    createdAt: r.createdAt,
    deadline: deadline === null ? null : new Date(deadline).toISOString(),
    daysLeft: deadline === null ? null : Math.floor((deadline - now) / DAY_MS),
    lines: items.map(
      (i) =>
        `${i.quantity} × ${i.name ?? i.offerId}${i.reason?.type ? ` (${i.reason.type.toLowerCase().replaceAll('_', ' ')})` : ''}`,
    ),
  };
}

/** The account's customer returns of the last 90 days (`GET /order/customer-returns`), kept for the list. */
export async function syncReturns(ctx: PluginContext): Promise<JobOutput> {
  const since = new Date(Date.now() - HORIZON_MS).toISOString();
  const all: ReturnItemView[] = [];
  for (let offset = 0; ; offset += PAGE) {
    ctx.signal.throwIfAborted();
    const page = (
      await allegro(ctx, {
        path: '/order/customer-returns',
        query: { 'createdAt.gte': since, limit: PAGE, offset },
        headers: BETA,
      })
    ).json<{ customerReturns?: CustomerReturn[] }>();
    const returns = page.customerReturns ?? [];
    all.push(...returns.map((r) => returnView(r)));
    if (returns.length < PAGE) break;
  }
  await ctx.store.set(RETURNS_KEY, all);
  return { counts: { returns: all.length } };
}

/** The returns last synced, open ones first; for the console's Returns view (`items`). */
export async function listReturns(
  ctx: PluginContext,
  input: { status?: string; orderId?: string },
): Promise<{ items: ReturnItemView[] }> {
  const all = (await ctx.store.get<ReturnItemView[]>(RETURNS_KEY)) ?? [];
  const now = Date.now();
  const items = all
    .filter(
      (r) =>
        (input.status === undefined || r.status === input.status) &&
        (input.orderId === undefined || r.orderId === input.orderId),
    )
    .map((r) =>
      r.deadline === null ? r : { ...r, daysLeft: Math.floor((Date.parse(r.deadline) - now) / DAY_MS) },
    );
  return { items };
}

async function readReturn(ctx: PluginContext, returnId: string): Promise<CustomerReturn> {
  if (!/^[0-9A-Za-z-]{1,64}$/.test(returnId))
    throw new ConfigError(`"${returnId}" is not an Allegro return id.`, { pointer: '/returnId' });
  const response = await allegro(
    ctx,
    { path: `/order/customer-returns/${returnId}`, headers: BETA },
    [200, 404],
  );
  if (response.status === 404)
    throw new ConfigError(`Allegro has no return ${returnId} on this account.`, { pointer: '/returnId' });
  return response.json<CustomerReturn>();
}

/** Keeps the synced list in step after an action, so the console shows the new status at once. */
async function remember(ctx: PluginContext, changed: CustomerReturn): Promise<void> {
  const list = (await ctx.store.get<ReturnItemView[]>(RETURNS_KEY)) ?? [];
  const view = returnView(changed);
  const at = list.findIndex((r) => r.id === changed.id);
  if (at >= 0) list[at] = view;
  else list.push(view);
  await ctx.store.set(RETURNS_KEY, list);
}

/**
 * Refunds what a customer return holds, once: each returned item by units on its order line
 * (matched by offer), with the deposit of those units, plus the delivery cost when asked — and
 * issues the correction of exactly that. Refused in words before anything is sent when the
 * return is closed (refunded or refused already) or holds more than the order has left to refund.
 */
export async function refundReturn(
  ctx: PluginContext,
  input: { returnId: string; includeDelivery?: boolean; comment?: string },
): Promise<Record<string, unknown>> {
  const r = await readReturn(ctx, input.returnId);
  const key = `return:${r.id}`;
  if (CLOSED.has(r.status) && !(await refundStarted(ctx, key)))
    throw new RefusedError(
      `Return ${r.id} is ${STATUS_WORDS[r.status] ?? r.status}: Allegro allows no refund of it any more.`,
    );
  const result = await refund(ctx, {
    orderId: r.orderId,
    reason: 'REFUND',
    key,
    correction: {
      key: `return-${r.id}`,
      kind: 'return',
      reason: `Zwrot Allegro ${r.referenceNumber ?? r.id}`,
    },
    plan: (form, earlier) => {
      const lines: RefundLineInput[] = [];
      for (const item of r.items ?? []) {
        const at = form.lineItems.findIndex((l) => l.offer.id === item.offerId);
        if (at < 0)
          throw new ConfigError(
            `${item.name ?? item.offerId} of return ${r.id} is not on order ${r.orderId}; it cannot be refunded here.`,
          );
        const same = lines.find((l) => l.line === at + 1);
        if (same) same.quantity = (same.quantity ?? 0) + item.quantity;
        else lines.push({ line: at + 1, quantity: item.quantity });
      }
      const delivery = form.delivery?.cost && input.includeDelivery ? form.delivery.cost.amount : undefined;
      return planRefund(form, earlier, { lines, ...(delivery && cents(delivery) > 0 ? { delivery } : {}) });
    },
    ...(input.comment ? { sellerComment: input.comment } : {}),
  });
  await remember(ctx, await readReturn(ctx, r.id));
  return { returnId: r.id, ...result };
}

/**
 * Refuses the refund of a customer return with one of Allegro's codes, once; REFUND_REJECTED needs
 * the reason in words (#5644). Refused before anything is sent when the return is closed.
 */
export async function rejectReturn(
  ctx: PluginContext,
  input: { returnId: string; code: (typeof REJECTION_CODES)[number]; reason?: string },
): Promise<Record<string, unknown>> {
  if (!REJECTION_CODES.includes(input.code))
    throw new ConfigError(
      `${String(input.code)} is not one of Allegro's rejection codes (${REJECTION_CODES.join(', ')}).`,
      {
        pointer: '/code',
      },
    );
  const reason = input.reason?.trim();
  if (input.code === 'REFUND_REJECTED' && !reason)
    throw new ConfigError('Say why the refund is refused: Allegro shows the buyer this reason.', {
      pointer: '/reason',
    });
  const r = await readReturn(ctx, input.returnId);
  const outcome = await ctx.outbound.once(
    { kind: REJECT_OPERATION, key: r.id, payload: { code: input.code, reason: reason ?? null } },
    async () => {
      if (r.status !== 'REJECTED') {
        if (CLOSED.has(r.status))
          throw new RefusedError(
            `Return ${r.id} is ${STATUS_WORDS[r.status] ?? r.status}: its refund can no longer be refused.`,
          );
        await allegroChange(
          ctx,
          {
            method: 'POST',
            path: `/order/customer-returns/${r.id}/rejection`,
            headers: { ...BETA, 'content-type': ALLEGRO_BETA },
            json: { rejection: { code: input.code, ...(reason ? { reason } : {}) } },
          },
          `refuse the refund of return ${r.id}`,
        );
      }
      return { returnId: r.id, code: input.code };
    },
  );
  const after = await readReturn(ctx, r.id);
  await remember(ctx, after);
  return { ...(outcome.result as object), status: after.status, outcome: outcome.status };
}
