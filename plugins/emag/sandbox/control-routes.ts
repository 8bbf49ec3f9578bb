import type { FastifyInstance } from 'fastify';
import { CONTROL_PREFIX, SandboxErrorCode, sandboxError } from '@mch/plugin-sdk/sandbox-kit';
import { z } from 'zod';
import { ACCOUNTS, findAccount } from './accounts.ts';
import { cancelAsCustomer } from './buyer-cancel.ts';
import type { SandboxContext } from './context.ts';
import { placeOrders } from './new-orders.ts';
import { openReturn } from './new-returns.ts';
import { currencyAt } from './platforms.ts';
import { changedOffers } from './offer-routes.ts';

/**
 * eMAG-specific control routes, beside the kit's `/__sandbox/state|faults|reset`:
 * - `GET  /__sandbox/accounts` → every account with its credentials and API base path
 * - `PUT  /__sandbox/callback` `{url: string|null}` → sets the new-order callback URL
 * - `POST /__sandbox/orders` `{account?, count?, type?, payment_mode_id?}` → adds new (status 1)
 *   orders and, when a callback URL is set, notifies it for each; answers the ids and outcomes
 * - `GET  /__sandbox/orders/:account/:id` → one order as `order/read` would show it (no auth, no limits)
 * - `POST /__sandbox/returns` `{account?, orderId?, products?: [{id, quantity}]}` → a customer opens a
 *   return (status 2) on a finalized order; answers its `emagId` (new-returns.ts)
 * - `POST /__sandbox/cancellations` `{account?, orderId?, reason?}` → a customer has a new (status 1,
 *   not yet acknowledged) order cancelled by eMAG; without `orderId` the newest one, or a new order
 *   placed and cancelled at once (buyer-cancel.ts); answers `{orderId, reason, placed}`
 * - `GET  /__sandbox/offers/:account` → the account's offers changed by saves, each with its save count
 *   and `saved_at` (when its last save arrived, wall clock)
 * - `PUT  /__sandbox/offers/:account/:id` `{min_sale_price?, max_sale_price?}` → changes an offer's price
 *   bounds as the seller would in eMAG's portal (not counted as a save)
 */
const openReturnBody = z
  .object({
    account: z.string().default('ro-main'),
    orderId: z.number().int().positive().optional(),
    products: z
      .array(z.object({ id: z.number().int().positive(), quantity: z.number().int().min(1) }).strict())
      .min(1)
      .optional(),
  })
  .strict();
const cancelBody = z
  .object({
    account: z.string().default('ro-main'),
    orderId: z.number().int().positive().optional(),
    reason: z.number().int().optional(),
  })
  .strict();
const addOrdersBody = z
  .object({
    account: z.string().default('ro-main'),
    count: z.number().int().min(1).max(1000).default(1),
    type: z.union([z.literal(2), z.literal(3)]).optional(),
    payment_mode_id: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
  })
  .strict();

const boundsBody = z
  .object({
    min_sale_price: z.number().positive().optional(),
    max_sale_price: z.number().positive().optional(),
  })
  .strict();

const callbackBody = z.object({ url: z.url().nullable() }).strict();

const issues = (e: z.ZodError) =>
  e.issues.map((i) => ({ path: `/${i.path.map(String).join('/')}`, message: i.message }));

export function registerEmagControlRoutes(
  app: FastifyInstance,
  ctx: SandboxContext,
  baseUrl: () => string,
): void {
  app.get(`${CONTROL_PREFIX}/accounts`, async () =>
    ACCOUNTS.map((a) => ({
      key: a.key,
      platform: a.platform.id,
      platformName: a.platform.name,
      currency: currencyAt(a.platform, ctx.store.anchor),
      hosts: a.platform.hosts,
      kind: a.kind,
      username: a.username,
      password: a.password,
      apiUrl: `${baseUrl()}/${a.platform.id}/api-3`,
    })),
  );

  app.put(`${CONTROL_PREFIX}/callback`, async (request, reply) => {
    const body = callbackBody.safeParse(request.body ?? {});
    if (!body.success)
      return reply
        .code(400)
        .send(
          sandboxError(SandboxErrorCode.InvalidInput, 'Expected {url: string|null}.', issues(body.error)),
        );
    ctx.callbackUrl = body.data.url ?? undefined;
    return { callbackUrl: ctx.callbackUrl ?? null };
  });

  app.post(`${CONTROL_PREFIX}/orders`, async (request, reply) => {
    const body = addOrdersBody.safeParse(request.body ?? {});
    if (!body.success)
      return reply
        .code(400)
        .send(sandboxError(SandboxErrorCode.InvalidInput, 'Invalid new-order request.', issues(body.error)));
    const account = findAccount(body.data.account);
    if (!account)
      return reply
        .code(404)
        .send(
          sandboxError(
            SandboxErrorCode.NotFound,
            `No account "${body.data.account}"; see GET /__sandbox/accounts.`,
          ),
        );
    const placed = await placeOrders(ctx, account, {
      count: body.data.count,
      ...(body.data.type ? { type: body.data.type } : {}),
      ...(body.data.payment_mode_id ? { paymentModeId: body.data.payment_mode_id } : {}),
    });
    return reply.code(201).send({ account: account.key, ...placed });
  });

  app.post(`${CONTROL_PREFIX}/returns`, async (request, reply) => {
    const body = openReturnBody.safeParse(request.body ?? {});
    if (!body.success)
      return reply
        .code(400)
        .send(sandboxError(SandboxErrorCode.InvalidInput, 'Invalid new-return request.', issues(body.error)));
    const account = findAccount(body.data.account);
    if (!account)
      return reply
        .code(404)
        .send(
          sandboxError(
            SandboxErrorCode.NotFound,
            `No account "${body.data.account}"; see GET /__sandbox/accounts.`,
          ),
        );
    const outcome = openReturn(ctx, account, {
      ...(body.data.orderId ? { orderId: body.data.orderId } : {}),
      ...(body.data.products ? { products: body.data.products } : {}),
    });
    if (!outcome.ok)
      return reply
        .code(outcome.status)
        .send(
          sandboxError(
            outcome.status === 404 ? SandboxErrorCode.NotFound : SandboxErrorCode.InvalidInput,
            outcome.message,
          ),
        );
    return reply.code(201).send({ account: account.key, emagId: outcome.emagId, orderId: outcome.orderId });
  });

  app.post(`${CONTROL_PREFIX}/cancellations`, async (request, reply) => {
    const body = cancelBody.safeParse(request.body ?? {});
    if (!body.success)
      return reply
        .code(400)
        .send(
          sandboxError(SandboxErrorCode.InvalidInput, 'Invalid cancellation request.', issues(body.error)),
        );
    const account = findAccount(body.data.account);
    if (!account)
      return reply
        .code(404)
        .send(
          sandboxError(
            SandboxErrorCode.NotFound,
            `No account "${body.data.account}"; see GET /__sandbox/accounts.`,
          ),
        );
    const outcome = await cancelAsCustomer(ctx, account, {
      ...(body.data.orderId ? { orderId: body.data.orderId } : {}),
      ...(body.data.reason !== undefined ? { reason: body.data.reason } : {}),
    });
    if (!outcome.ok)
      return reply
        .code(outcome.status)
        .send(
          sandboxError(
            outcome.status === 404 ? SandboxErrorCode.NotFound : SandboxErrorCode.InvalidInput,
            outcome.message,
          ),
        );
    return reply.code(201).send({
      account: account.key,
      orderId: outcome.orderId,
      reason: outcome.reason,
      placed: outcome.placed,
    });
  });

  app.get(`${CONTROL_PREFIX}/orders/:account/:id`, async (request, reply) => {
    const params = request.params as { account: string; id: string };
    const account = findAccount(params.account);
    const acc = account ? ctx.store.of(account) : undefined;
    const index = acc ? ctx.store.find(acc, Number(params.id)) : -1;
    if (!acc || index < 0)
      return reply.code(404).send(sandboxError(SandboxErrorCode.NotFound, 'No such order.'));
    return ctx.store.order(acc, index);
  });

  app.get(`${CONTROL_PREFIX}/offers/:account`, async (request, reply) => {
    const account = findAccount((request.params as { account: string }).account);
    if (!account) return reply.code(404).send(sandboxError(SandboxErrorCode.NotFound, 'No such account.'));
    return { account: account.key, offers: changedOffers({ account, ctx }) };
  });

  app.put(`${CONTROL_PREFIX}/offers/:account/:id`, async (request, reply) => {
    const params = request.params as { account: string; id: string };
    const account = findAccount(params.account);
    const item = account ? ctx.offers.find(account, Number(params.id)) : undefined;
    const body = boundsBody.safeParse(request.body ?? {});
    if (!account || !item)
      return reply.code(404).send(sandboxError(SandboxErrorCode.NotFound, 'No such offer.'));
    if (!body.success)
      return reply
        .code(400)
        .send(
          sandboxError(
            SandboxErrorCode.InvalidInput,
            'Expected {min_sale_price?, max_sale_price?}.',
            issues(body.error),
          ),
        );
    const state = ctx.offers.state(account, item);
    const units = (v: number) => Math.round(v * 10000);
    ctx.offers.save(
      account,
      item.id,
      {
        ...state,
        ...(body.data.min_sale_price !== undefined ? { minPrice: units(body.data.min_sale_price) } : {}),
        ...(body.data.max_sale_price !== undefined ? { maxPrice: units(body.data.max_sale_price) } : {}),
      },
      { countAsSave: false },
    );
    return { id: item.id };
  });
}
