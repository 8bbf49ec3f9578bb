import { randomUUID } from 'node:crypto';
import { formatUnits } from '@mch/plugin-sdk/sandbox-kit';
import type { FastifyInstance } from 'fastify';
import { UUID_PATTERN } from '../data/ids.ts';
import type { AccountReturns, RefundRecord } from '../returns-store.ts';
import { checkRefund, type RefundForm } from './refund-check.ts';
import {
  ALLEGRO_MEDIA_TYPE,
  apiGuard,
  notFound,
  sellerStore,
  unprocessable,
  type ApiDeps,
} from './context.ts';
import { errorsBody } from '../errors.ts';

type Query = Record<string, string | string[] | undefined>;

/** OpenAPI InitializeRefund.reason. */
const REASONS = [
  'REFUND',
  'COMPLAINT',
  'PRODUCT_NOT_AVAILABLE',
  'PAID_VALUE_TOO_LOW',
  'OVERPAID',
  'CANCELLED_BY_BUYER',
  'NOT_COLLECTED',
] as const;
/** RefundDetails.status, plus WAITING of the GET's `status` filter (OpenAPI). */
const STATUSES = [
  'SUCCESS',
  'CANCELED',
  'PARTIAL',
  'IN_PROGRESS',
  'VALIDATED',
  'VALIDATE_FAILED',
  'NEW',
  'WAITING',
];

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).filter(Boolean);

/** RefundDetails now: NEW until `settlesAt`, then SUCCESS (#3731 shows the NEW answer of the POST). */
export function refundView(r: RefundRecord, now = Date.now()): Record<string, unknown> {
  return { ...r.body, status: r.canceled ? 'CANCELED' : now < r.settlesAt ? 'NEW' : 'SUCCESS' };
}

/**
 * Payment refunds (OpenAPI `/payments/refunds`, public v1 media type):
 * - `POST` InitializeRefund → 200 RefundDetails (status NEW; SUCCESS in GET after
 *   `refundSettleMs`). 404 for a payment unknown to this seller (OpenAPI "Payment not found"); 422
 *   VALIDATION_ERROR for every refusal (refund-check.ts), nothing recorded. A repeated `commandId`
 *   of the same seller answers the earlier refund's POST answer again and records nothing
 *   (InitializeRefund.commandId: "If empty, idempotency will not be supported").
 *   Each refund made: effect `refund.created`; the order's open customer returns become FINISHED
 *   (#10150). A refund changes neither the order's status nor its fulfillment (#9777).
 * - `GET` RefundDetails list, newest first: `id`, `payment.id`, `order.id`, `occurredAt.gte|lte`,
 *   `status`, `limit` 1–100 (50), `offset`; invalid parameters 422 (OpenAPI).
 */
export function registerRefundRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const preHandler = apiGuard(deps);
  const returnsOf = (accountIndex: number): AccountReturns => {
    const r = deps.returns[accountIndex];
    if (!r) throw new Error(`no returns store for account ${accountIndex}`);
    return r;
  };

  app.post('/payments/refunds', { preHandler }, async (request, reply) => {
    const store = sellerStore(deps, request, reply);
    if (!store) return reply;
    const returns = returnsOf(store.accountIndex);
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return reply.code(400).send(errorsBody('BAD_REQUEST', 'The body must be an InitializeRefund object'));
    const b = body as Record<string, unknown>;
    const payment = b.payment as { id?: unknown } | undefined;
    if (typeof payment?.id !== 'string' || payment.id === '')
      return unprocessable(reply, 'payment.id is required', 'payment.id');
    if (typeof b.reason !== 'string' || !(REASONS as readonly string[]).includes(b.reason))
      return unprocessable(reply, `reason must be one of ${REASONS.join(', ')}`, 'reason');
    const commandId = b.commandId;
    if (
      commandId !== undefined &&
      commandId !== null &&
      (typeof commandId !== 'string' || !UUID_PATTERN.test(commandId))
    )
      return unprocessable(reply, 'commandId must be a UUID', 'commandId');
    if (
      b.sellerComment !== undefined &&
      (typeof b.sellerComment !== 'string' || b.sellerComment.length > 250)
    )
      return unprocessable(reply, 'sellerComment must be a text of at most 250 characters', 'sellerComment');
    // Idempotency: the same command again answers what it answered the first time.
    const repeated = typeof commandId === 'string' ? returns.byCommand.get(commandId) : undefined;
    if (repeated) return reply.type(ALLEGRO_MEDIA_TYPE).send(repeated.body);

    const order = b.order as { id?: unknown } | undefined;
    const orderId = typeof order?.id === 'string' ? order.id : undefined;
    const named = orderId === undefined ? null : store.find(orderId);
    let index: number;
    let form = named === null ? undefined : (store.form(named) as unknown as RefundForm);
    if (named !== null && form?.payment.id === payment.id) index = named;
    else {
      const paid = returns.paymentIndex(payment.id);
      if (paid === null) return notFound(reply, `Payment ${payment.id}`);
      if (orderId !== undefined)
        return unprocessable(
          reply,
          `Payment ${payment.id} is not the payment of order ${orderId}`,
          'order.id',
        );
      index = paid;
      form = store.form(index) as unknown as RefundForm;
    }
    if (!form.payment.finishedAt || !form.payment.paidAmount) {
      return unprocessable(
        reply,
        `Payment ${payment.id} of order ${form.id} has not been paid (e.g. cash on delivery not collected yet): there is nothing to refund`,
        'payment.id',
      );
    }
    const checked = checkRefund({ body: b, form, earlier: returns.refundsOf(index) });
    if (!checked.ok) {
      const { message, path, details } = checked.refusal;
      return reply.code(422).send(errorsBody('VALIDATION_ERROR', message, { path, details }));
    }
    const { plan } = checked;
    const now = Date.now();
    const currency = form.summary.totalToPay.currency;
    const id = randomUUID();
    const refundBody: Record<string, unknown> = {
      id,
      payment: { id: payment.id },
      order: { id: form.id },
      reason: b.reason,
      status: 'NEW',
      createdAt: new Date(now).toISOString(),
      totalValue: { amount: formatUnits(plan.totalUnits), currency },
      ...plan.parts,
      ...(typeof b.sellerComment === 'string' ? { sellerComment: b.sellerComment } : {}),
    };
    const record: RefundRecord = {
      id,
      index,
      orderId: form.id,
      paymentId: payment.id,
      ...(typeof commandId === 'string' ? { commandId } : {}),
      createdAt: now,
      settlesAt: now + deps.config.refundSettleMs,
      canceled: false,
      totalUnits: plan.totalUnits,
      quantities: plan.quantities,
      lineUnits: plan.lineUnits,
      depositUnits: plan.depositUnits,
      deliveryUnits: plan.deliveryUnits,
      servicesUnits: plan.servicesUnits,
      overpaidUnits: plan.overpaidUnits,
      body: refundBody,
    };
    returns.addRefund(record);
    deps.ledger.record({
      kind: 'refund.created',
      account: store.account.login,
      target: form.id,
      data: {
        refundId: id,
        paymentId: payment.id,
        commandId: typeof commandId === 'string' ? commandId : null,
        reason: b.reason,
        totalValue: refundBody.totalValue,
        lineItems: plan.parts.lineItems ?? [],
        delivery: plan.parts.delivery ?? null,
        deposits: plan.parts.deposits ?? [],
      },
    });
    return reply.code(200).type(ALLEGRO_MEDIA_TYPE).send(refundBody);
  });

  app.get('/payments/refunds', { preHandler }, async (request, reply) => {
    const store = sellerStore(deps, request, reply);
    if (!store) return reply;
    const returns = returnsOf(store.accountIndex);
    const q = request.query as Query;
    const one = (k: string): string | undefined => list(q[k])[0];
    const int = (k: string, def: number, min: number, max: number): number | null => {
      const raw = one(k);
      if (raw === undefined) return def;
      const n = Number(raw);
      return /^\d+$/.test(raw) && n >= min && n <= max ? n : null;
    };
    const limit = int('limit', 50, 1, 100);
    if (limit === null) return unprocessable(reply, 'limit must be an integer between 1 and 100', 'limit');
    const offset = int('offset', 0, 0, Number.MAX_SAFE_INTEGER);
    if (offset === null) return unprocessable(reply, 'offset must be an integer >= 0', 'offset');
    const dates: Record<string, number> = {};
    for (const k of ['occurredAt.gte', 'occurredAt.lte']) {
      const raw = one(k);
      if (raw === undefined) continue;
      const ms = Date.parse(raw);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(ms))
        return unprocessable(reply, `${k} must be an ISO 8601 date-time`, k);
      dates[k] = ms;
    }
    const ids = list(q.id);
    const paymentIds = list(q['payment.id']);
    const orderIds = list(q['order.id']);
    for (const [k, values] of [
      ['id', ids],
      ['payment.id', paymentIds],
      ['order.id', orderIds],
    ] as const) {
      const bad = values.find((v) => !UUID_PATTERN.test(v));
      if (bad) return unprocessable(reply, `${k} must be a UUID, not ${bad}`, k);
    }
    const statuses = list(q.status);
    const unknown = statuses.find((s) => !STATUSES.includes(s));
    if (unknown) return unprocessable(reply, `Unknown status: ${unknown}`, 'status');
    const now = Date.now();
    const matches = returns.refunds
      .map((r) => ({ r, view: refundView(r, now) }))
      .filter(
        ({ r, view }) =>
          (ids.length === 0 || ids.includes(r.id)) &&
          (paymentIds.length === 0 || paymentIds.includes(r.paymentId)) &&
          (orderIds.length === 0 || orderIds.includes(r.orderId)) &&
          (dates['occurredAt.gte'] === undefined || r.createdAt >= dates['occurredAt.gte']) &&
          (dates['occurredAt.lte'] === undefined || r.createdAt <= dates['occurredAt.lte']) &&
          (statuses.length === 0 || statuses.includes(view.status as string)),
      )
      // Newest first.
      .reverse();
    const refunds = matches.slice(offset, offset + limit).map((m) => m.view);
    return reply
      .type(ALLEGRO_MEDIA_TYPE)
      .send({ refunds, count: refunds.length, totalCount: matches.length });
  });
}
