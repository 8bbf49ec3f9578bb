import { createHash } from 'node:crypto';
import { ConfigError, RefusedError, type PluginContext } from '@mch/plugin-sdk';
import { ALLEGRO_PUBLIC, allegro, allegroChange } from './allegro-api.ts';
import { decimal, planRefund, refundable, type RefundInput, type RefundPlan } from './refund-plan.ts';
import type { AllegroRefund, RefundableForm } from './types.ts';

export const REFUND_OPERATION = 'payment-refund';
const ALLEGRO_JSON = { 'content-type': ALLEGRO_PUBLIC };
const FORM_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reasons Allegro takes for a refund (OpenAPI `InitializeRefund.reason`). */
export const REFUND_REASONS = [
  'REFUND',
  'COMPLAINT',
  'PRODUCT_NOT_AVAILABLE',
  'PAID_VALUE_TOO_LOW',
  'OVERPAID',
  'CANCELLED_BY_BUYER',
  'NOT_COLLECTED',
] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];

const STATUS_WORDS: Record<string, string> = {
  NEW: 'requested',
  VALIDATED: 'accepted',
  IN_PROGRESS: 'in progress',
  SUCCESS: 'refunded',
  PARTIAL: 'partly refunded',
  CANCELED: 'cancelled',
  VALIDATE_FAILED: 'refused by Allegro',
};

export function checkOrderId(orderId: string): void {
  if (!FORM_ID.test(orderId))
    throw new ConfigError(
      `"${orderId}" is not an Allegro order id (a checkout form id such as 29bd1c70-…).`,
      {
        pointer: '/orderId',
      },
    );
}

export async function readForm(ctx: PluginContext, orderId: string): Promise<RefundableForm> {
  checkOrderId(orderId);
  const response = await allegro(ctx, { path: `/order/checkout-forms/${orderId}` }, [200, 404]);
  if (response.status === 404)
    throw new ConfigError(
      `Allegro has no order ${orderId} on this account (or the buyer merged it into another).`,
      {
        pointer: '/orderId',
      },
    );
  return response.json<RefundableForm>();
}

/** The order's refunds on Allegro, oldest first (`GET /payments/refunds?order.id=…`, paged by 100). */
export async function readRefunds(ctx: PluginContext, orderId: string): Promise<AllegroRefund[]> {
  const all: AllegroRefund[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = (
      await allegro(ctx, { path: '/payments/refunds', query: { 'order.id': orderId, limit: 100, offset } })
    ).json<{ refunds?: AllegroRefund[] }>();
    all.push(...(page.refunds ?? []));
    if ((page.refunds?.length ?? 0) < 100) break;
  }
  return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Allegro's `commandId` for a refund: the same operation always sends the same UUID. */
function commandId(ctx: PluginContext, key: string): string {
  const h = createHash('sha256').update(`${ctx.integration.id}:${REFUND_OPERATION}:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface RefundRequest {
  orderId: string;
  reason: RefundReason;
  /** Idempotency key of the refund (the ledger's and Allegro's `commandId`). */
  key: string;
  /** The correction: its key and kind; the form's refund plan says its lines. */
  correction: { key: string; kind: 'return' | 'refund'; reason: string };
  plan: (form: RefundableForm, earlier: AllegroRefund[]) => RefundPlan;
  sellerComment?: string;
}

/**
 * Refunds the buyer once and issues the matching correction. The plan is checked against what the
 * buyer paid and what earlier refunds gave back before anything is sent. The refund is an outbound
 * operation keyed by `key` and sent with a `commandId` derived from it, so a retry after a lost
 * answer or a crash makes no second refund: Allegro answers the first (InitializeRefund.commandId).
 * A key whose refund was started before goes straight to Allegro with its first plan (what is left
 * now already counts that refund). A refund Allegro refuses is a RefusedError in Allegro's words,
 * recorded and never retried; the correction is issued for what the refund gave back, once per
 * refund, and not for a cancelled order (its correction to zero came with the cancellation).
 */
const startedKey = (key: string) => `refund.started.${key}`;

/** Whether the refund of this key was started here before (its plan is kept). */
export async function refundStarted(ctx: PluginContext, key: string): Promise<boolean> {
  return (await ctx.store.get(startedKey(key))) !== undefined;
}

export async function refund(ctx: PluginContext, request: RefundRequest): Promise<Record<string, unknown>> {
  const form = await readForm(ctx, request.orderId);
  const started = await ctx.store.get<RefundPlan>(startedKey(request.key));
  let plan = started;
  if (!plan) {
    if (!form.payment?.finishedAt)
      throw new RefusedError(
        `Order ${request.orderId} is not paid on Allegro (payment ${form.payment?.type ?? 'unknown'} not finished): there is nothing to refund.`,
      );
    plan = request.plan(form, await readRefunds(ctx, request.orderId));
    await ctx.store.set(startedKey(request.key), plan);
  }
  const body = {
    payment: { id: form.payment?.id },
    order: { id: request.orderId },
    commandId: commandId(ctx, request.key),
    reason: request.reason,
    ...plan.body,
    ...(request.sellerComment ? { sellerComment: request.sellerComment } : {}),
  };
  const outcome = await ctx.outbound.once(
    {
      kind: REFUND_OPERATION,
      key: request.key,
      payload: { orderId: request.orderId, total: decimal(plan.total), summary: plan.summary },
    },
    async () => {
      const response = await allegroChange(
        ctx,
        { method: 'POST', path: '/payments/refunds', headers: ALLEGRO_JSON, json: body },
        `refund ${decimal(plan.total)} on order ${request.orderId}`,
      );
      const made = response.json<AllegroRefund>();
      return { refundId: made.id, status: made.status, total: made.totalValue };
    },
  );
  const made = outcome.result as {
    refundId: string;
    status: string;
    total: { amount: string; currency: string };
  };
  let correction: Record<string, unknown> | null = null;
  if (form.status === 'CANCELLED') {
    correction = {
      status: 'covered',
      message: `Order ${request.orderId} was cancelled: its invoice's correction to zero already accounts for this refund.`,
    };
  } else {
    const issued = await ctx.corrections.request({
      externalOrderId: request.orderId,
      key: request.correction.key,
      kind: request.correction.kind,
      reason: `${request.correction.reason}: ${plan.summary}`,
      ...(plan.correction ? { lines: plan.correction } : {}),
    });
    correction =
      issued.status === 'issued'
        ? { ...issued.correction, created: issued.created }
        : {
            status: 'no-invoice',
            message: `Order ${request.orderId} has no invoice here; nothing to correct.`,
          };
  }
  return {
    orderId: request.orderId,
    refundId: made.refundId,
    refundStatus: made.status,
    amount: made.total.amount,
    currency: made.total.currency,
    refunded: plan.summary,
    outcome: outcome.status,
    correction,
  };
}

export interface RefundOrderInput extends RefundInput {
  orderId: string;
  reason: RefundReason;
  comment?: string;
}

/**
 * The console's and API's refund of an order, fully (`everything`) or partly (lines by units or
 * amount, delivery). The same refund asked twice (same lines, amounts, reason and note) is one
 * refund: the second answers `already-done` with the first's result. To refund more later, ask for
 * what is still left — a different request.
 */
export async function refundOrder(
  ctx: PluginContext,
  input: RefundOrderInput,
): Promise<Record<string, unknown>> {
  const asked = JSON.stringify({
    lines: input.lines ?? [],
    delivery: input.delivery ?? null,
    everything: input.everything === true,
    reason: input.reason,
    comment: input.comment ?? null,
  });
  const key = `${input.orderId}:${createHash('sha256').update(asked).digest('hex').slice(0, 16)}`;
  return refund(ctx, {
    orderId: input.orderId,
    reason: input.reason,
    key,
    correction: { key: `refund-${key}`, kind: 'refund', reason: `Zwrot płatności Allegro (${input.reason})` },
    plan: (form, earlier) => planRefund(form, earlier, input),
    ...(input.comment ? { sellerComment: input.comment } : {}),
  });
}

/** The order as the console's order page shows it: status, buyer, lines and what is left to refund. */
export async function getOrder(
  ctx: PluginContext,
  input: { orderId: string },
): Promise<Record<string, unknown>> {
  const form = await readForm(ctx, input.orderId);
  const earlier = form.payment?.finishedAt ? await readRefunds(ctx, input.orderId) : [];
  const left = refundable(form, earlier);
  const currency = left.currency;
  return {
    item: {
      id: form.id,
      status: form.status,
      statusLabel: form.status.replaceAll('_', ' ').toLowerCase(),
      buyer: form.buyer?.login ?? null,
      amount: form.summary?.totalToPay?.amount ?? null,
      currency,
      paid: form.payment?.finishedAt ? (form.payment.paidAmount?.amount ?? null) : null,
      leftToRefund: decimal(Math.max(0, left.total)),
      lines: form.lineItems.map((item, i) => {
        const now = left.lines.get(item.id)!;
        return `${i + 1}. ${item.quantity} × ${item.offer.name} at ${item.price.amount} ${currency}${
          now.units < item.quantity ? ` (${now.units} left to refund)` : ''
        }`;
      }),
      delivery: form.delivery?.cost
        ? `${form.delivery.cost.amount} ${currency} (${decimal(Math.max(0, left.delivery))} left to refund)`
        : null,
    },
  };
}

/** The refunds of one order, or the account's latest 100, as the console lists them. */
export async function listRefunds(
  ctx: PluginContext,
  input: { orderId?: string },
): Promise<{ items: Record<string, unknown>[] }> {
  let refunds: AllegroRefund[];
  const names = new Map<string, string>();
  if (input.orderId) {
    refunds = await readRefunds(ctx, input.orderId);
    for (const item of (await readForm(ctx, input.orderId)).lineItems) names.set(item.id, item.offer.name);
  } else
    refunds =
      (await allegro(ctx, { path: '/payments/refunds', query: { limit: 100 } })).json<{
        refunds?: AllegroRefund[];
      }>().refunds ?? [];
  return {
    items: refunds.map((r) => ({
      id: r.id,
      status: r.status,
      statusLabel: STATUS_WORDS[r.status] ?? r.status.toLowerCase(),
      orderId: r.order?.id ?? null,
      amount: r.totalValue.amount,
      currency: r.totalValue.currency,
      createdAt: r.createdAt,
      reason: r.reason,
      lines: [
        ...(r.lineItems ?? []).map((l) =>
          l.type === 'QUANTITY'
            ? `${l.quantity ?? 0} × ${names.get(l.id) ?? `line item ${l.id}`}`
            : `${l.value?.amount ?? '?'} of ${names.get(l.id) ?? `line item ${l.id}`}`,
        ),
        ...(r.delivery?.value ? [`delivery ${r.delivery.value.amount}`] : []),
      ],
    })),
  };
}
