import type { FastifyInstance } from 'fastify';
import { type ApiDeps } from './context.ts';
/** `GET /me` (OpenAPI MeResponse) and `GET /sale/product-offers/{offerId}` (SaleProductOfferResponseV1). */
export declare function registerSellerRoutes(app: FastifyInstance, deps: ApiDeps): void;
