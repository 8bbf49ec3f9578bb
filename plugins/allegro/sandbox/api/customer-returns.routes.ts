import type { FastifyInstance, FastifyReply } from 'fastify';
import { errorsBody } from '../errors.ts';
import {
  CLOSED_RETURN_STATUSES,
  REJECTION_CODES,
  RETURN_STATUSES,
  type AccountReturns,
  type ReturnRecord,
} from '../returns-store.ts';
import type { AccountOrders } from '../store.ts';
import {
  ALLEGRO_BETA_MEDIA_TYPE,
  apiGuard,
  notFound,
  sellerStore,
  unprocessable,
  type ApiDeps,
} from './context.ts';

type Query = Record<string, string | string[] | undefined>;

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).filter(Boolean);
const iso = (ms: number): string => new Date(ms).toISOString();
const slug = (name: string): string =>
  name
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

interface FormLine {
  id: string;
  offer: { id: string; name: string };
  price: { amount: string; currency: string };
}

/**
 * The OpenAPI CustomerReturn of a record: items are lines of the order (offerId = the line's
 * offer.id, price = the line's unit price), buyer and marketplace from the checkout form;
 * `rejection` once rejected; `refund.bankAccount` only for cash on delivery (CustomerReturnRefund).
 */
export function customerReturnView(orders: AccountOrders, r: ReturnRecord): Record<string, unknown> {
  const form = orders.form(r.index) as unknown as {
    buyer: { email: string; login: string };
    lineItems: FormLine[];
    marketplace: { id: string };
  };
  return {
    id: r.id,
    isFulfillment: false,
    createdAt: iso(r.createdAt),
    referenceNumber: r.referenceNumber,
    orderId: r.orderId,
    buyer: { email: form.buyer.email, login: form.buyer.login },
    items: r.items.map((item) => {
      const line = form.lineItems.find((l) => l.id === item.lineItemId);
      return {
        offerId: line?.offer.id ?? '',
        quantity: item.quantity,
        name: line?.offer.name ?? '',
        ...(line ? { price: line.price } : {}),
        url: `https://allegro.pl/oferta/${slug(line?.offer.name ?? 'oferta')}-${line?.offer.id ?? ''}`,
        reason: item.reason,
      };
    }),
    ...(r.bankAccount ? { refund: { bankAccount: r.bankAccount } } : {}),
    parcels: r.parcel
      ? [
          {
            createdAt: iso(r.parcel.createdAt),
            waybill: r.parcel.waybill,
            carrierId: r.parcel.carrierId,
            sender: { phoneNumber: r.parcel.phoneNumber },
          },
        ]
      : [],
    ...(r.rejection
      ? {
          rejection: {
            code: r.rejection.code,
            ...(r.rejection.reason !== undefined ? { reason: r.rejection.reason } : {}),
            createdAt: iso(r.rejection.createdAt),
          },
        }
      : {}),
    marketplaceId: form.marketplace.id,
    status: r.status,
  };
}

/** Invalid list parameters: the spec's 400 "Bad request" (it declares no 422 for this resource). */
const badRequest = (reply: FastifyReply, message: string, path: string) =>
  reply.code(400).send(errorsBody('VALIDATION_ERROR', message, { path }));

/**
 * Customer returns, a BETA resource (OpenAPI `/order/customer-returns*`): every route speaks only
 * `application/vnd.allegro.beta.v1+json` (406 for the public type).
 * - `GET /order/customer-returns`: oldest first; filters (repeated or comma separated, like
 *   list-query.ts) `customerReturnId`, `orderId`, `status`, `referenceNumber`, `buyer.login`,
 *   `buyer.email`, `items.offerId`, `marketplaceId`, `createdAt.gte|lte`, `from` (returns created
 *   after that one), `limit` 1–1000 (100), `offset` → CustomerReturnResponse `{count, customerReturns}`.
 * - `GET /order/customer-returns/{id}` → CustomerReturn, or 404.
 * - `POST …/{id}/rejection` CustomerReturnRefundRejectionRequest → 200 CustomerReturn REJECTED,
 *   effect `return.rejected`. 422 for an unknown code, a REFUND_REJECTED without its reason
 *   (1–250 characters, #5644), or a return already closed (OpenAPI 422: "Might occur when customer
 *   return has already been rejected").
 */
export function registerCustomerReturnRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const preHandler = apiGuard(deps, ALLEGRO_BETA_MEDIA_TYPE);
  const returnsOf = (orders: AccountOrders): AccountReturns => {
    const r = deps.returns[orders.accountIndex];
    if (!r) throw new Error(`no returns store for account ${orders.accountIndex}`);
    return r;
  };

  app.get('/order/customer-returns', { preHandler }, async (request, reply) => {
    const store = sellerStore(deps, request, reply);
    if (!store) return reply;
    const returns = returnsOf(store);
    const q = request.query as Query;
    const int = (k: string, def: number, max: number): number | null => {
      const raw = list(q[k])[0];
      if (raw === undefined) return def;
      const n = Number(raw);
      return /^\d+$/.test(raw) && n <= max ? n : null;
    };
    const limit = int('limit', 100, 1000);
    if (limit === null || limit < 1)
      return badRequest(reply, 'limit must be an integer between 1 and 1000', 'limit');
    const offset = int('offset', 0, Number.MAX_SAFE_INTEGER);
    if (offset === null) return badRequest(reply, 'offset must be an integer >= 0', 'offset');
    const statuses = list(q.status);
    const unknown = statuses.find((s) => !(RETURN_STATUSES as readonly string[]).includes(s));
    if (unknown) return badRequest(reply, `Unknown status: ${unknown}`, 'status');
    const dates: Record<string, number> = {};
    for (const k of ['createdAt.gte', 'createdAt.lte']) {
      const raw = list(q[k])[0];
      if (raw === undefined) continue;
      const ms = Date.parse(raw);
      if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(ms))
        return badRequest(reply, `${k} must be an ISO 8601 date-time`, k);
      dates[k] = ms;
    }
    let all = returns.all();
    const from = list(q.from)[0];
    if (from !== undefined) {
      const at = all.findIndex((r) => r.id === from);
      if (at < 0) return badRequest(reply, `No customer return ${from} to read after`, 'from');
      all = all.slice(at + 1);
    }
    const filters: [string, (v: Record<string, unknown>) => string[]][] = [
      ['customerReturnId', (v) => [v.id as string]],
      ['orderId', (v) => [v.orderId as string]],
      ['status', (v) => [v.status as string]],
      ['referenceNumber', (v) => [v.referenceNumber as string]],
      ['marketplaceId', (v) => [v.marketplaceId as string]],
      ['buyer.login', (v) => [(v.buyer as { login: string }).login]],
      ['buyer.email', (v) => [(v.buyer as { email: string }).email]],
      ['items.offerId', (v) => (v.items as { offerId: string }[]).map((i) => i.offerId)],
    ];
    const wanted = filters
      .map(([k, get]) => ({ values: list(q[k]), get }))
      .filter((f) => f.values.length > 0);
    const matches = all
      .filter(
        (r) =>
          (dates['createdAt.gte'] === undefined || r.createdAt >= dates['createdAt.gte']) &&
          (dates['createdAt.lte'] === undefined || r.createdAt <= dates['createdAt.lte']),
      )
      .map((r) => customerReturnView(store, r))
      .filter((v) => wanted.every((f) => f.get(v).some((x) => f.values.includes(x))));
    const customerReturns = matches.slice(offset, offset + limit);
    return reply.type(ALLEGRO_BETA_MEDIA_TYPE).send({ count: customerReturns.length, customerReturns });
  });

  app.get('/order/customer-returns/:customerReturnId', { preHandler }, async (request, reply) => {
    const store = sellerStore(deps, request, reply);
    if (!store) return reply;
    const { customerReturnId } = request.params as { customerReturnId: string };
    const found = returnsOf(store).find(customerReturnId);
    if (!found) return notFound(reply, `Customer return ${customerReturnId}`);
    return reply.type(ALLEGRO_BETA_MEDIA_TYPE).send(customerReturnView(store, found));
  });

  app.post('/order/customer-returns/:customerReturnId/rejection', { preHandler }, async (request, reply) => {
    const store = sellerStore(deps, request, reply);
    if (!store) return reply;
    const { customerReturnId } = request.params as { customerReturnId: string };
    const found = returnsOf(store).find(customerReturnId);
    // The spec lists no 404 here; an unknown return answers like GET …/{customerReturnId}.
    if (!found) return notFound(reply, `Customer return ${customerReturnId}`);
    const rejection = (request.body as { rejection?: { code?: unknown; reason?: unknown } } | undefined)
      ?.rejection;
    const code = REJECTION_CODES.find((c) => c === rejection?.code);
    if (!code)
      return unprocessable(
        reply,
        `rejection.code must be one of ${REJECTION_CODES.join(', ')}`,
        'rejection.code',
      );
    const reason = rejection?.reason;
    if (reason !== undefined && (typeof reason !== 'string' || reason.length < 1 || reason.length > 250))
      return unprocessable(
        reply,
        'rejection.reason must be a text of 1 to 250 characters',
        'rejection.reason',
      );
    // OpenAPI: "Refund rejection reason, required when code is REFUND_REJECTED" (#5644).
    if (code === 'REFUND_REJECTED' && (typeof reason !== 'string' || reason.trim() === ''))
      return unprocessable(
        reply,
        'rejection.reason is required with code REFUND_REJECTED: say why the refund is refused',
        'rejection.reason',
      );
    // The spec's 422 "Might occur when customer return has already been rejected"; the code Allegro
    // gives for a return already refunded or closed is not documented, so the words say what happened.
    if (CLOSED_RETURN_STATUSES.has(found.status))
      return unprocessable(
        reply,
        `Customer return ${found.id} is ${found.status}: its refund can no longer be rejected`,
        'customerReturnId',
      );
    found.status = 'REJECTED';
    found.rejection = { code, ...(typeof reason === 'string' ? { reason } : {}), createdAt: Date.now() };
    deps.ledger.record({
      kind: 'return.rejected',
      account: store.account.login,
      target: found.id,
      data: { code, reason: typeof reason === 'string' ? reason : null },
    });
    return reply.type(ALLEGRO_BETA_MEDIA_TYPE).send(customerReturnView(store, found));
  });
}
