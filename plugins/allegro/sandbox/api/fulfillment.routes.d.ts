import type { FastifyInstance } from 'fastify';
import { type ApiDeps } from './context.ts';
/**
 * `PUT /order/checkout-forms/{id}/fulfillment?checkoutForm.revision=…` `{"status":"PROCESSING"}` → 204;
 * 409 when the revision is stale (reference/README.md "Fulfillment"). Each change bumps the
 * revision and appends a FULFILLMENT_STATUS_CHANGED event.
 */
export declare function registerFulfillmentRoutes(app: FastifyInstance, deps: ApiDeps): void;
