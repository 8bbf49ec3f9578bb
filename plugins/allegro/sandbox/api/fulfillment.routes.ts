import type { FastifyInstance } from 'fastify';
import { FULFILLMENT_STATUSES, type FulfillmentStatus } from '../data/order-header.ts';
import { errorsBody } from '../errors.ts';
import { apiGuard, notFound, sellerStore, unprocessable, type ApiDeps } from './context.ts';

/** Statuses a seller may not set (OpenAPI: "given status is not allowed to be set (e.g. RETURNED)"). */
const NOT_SETTABLE: readonly FulfillmentStatus[] = ['RETURNED'];

/**
 * `PUT /order/checkout-forms/{id}/fulfillment?checkoutForm.revision=…` `{"status":"PROCESSING"}` → 204;
 * 409 when the revision is stale (reference/README.md "Fulfillment"). Each change bumps the
 * revision and appends a FULFILLMENT_STATUS_CHANGED event.
 */
export function registerFulfillmentRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.put('/order/checkout-forms/:id/fulfillment', { preHandler: apiGuard(deps) }, async (request, reply) => {
    const store = sellerStore(deps, request, reply);
    if (!store) return reply;
    const { id } = request.params as { id: string };
    const index = store.find(id);
    if (index === null) return notFound(reply, `Checkout form ${id}`);
    const status = (request.body as { status?: unknown } | undefined)?.status;
    const known = FULFILLMENT_STATUSES.find((s) => s === status);
    if (!known || NOT_SETTABLE.includes(known)) {
      return unprocessable(
        reply,
        `status must be one of ${FULFILLMENT_STATUSES.filter((s) => !NOT_SETTABLE.includes(s)).join(', ')}`,
        'status',
      );
    }
    const expected = (request.query as Record<string, string | undefined>)['checkoutForm.revision'];
    const current = store.revision(index);
    if (expected !== undefined && expected !== current) {
      return reply.code(409).send(
        errorsBody('CONFLICT', 'Provided revision is outdated', {
          path: 'checkoutForm.revision',
          details: `Current revision: ${current}`,
        }),
      );
    }
    const revision = store.setFulfillment(index, known);
    deps.ledger.record({
      kind: 'fulfillment.updated',
      account: store.account.login,
      target: id,
      data: { status: known, fromRevision: current, revision },
    });
    return reply.code(204).send();
  });
}
