import type { FastifyInstance } from 'fastify';
import { makeOffer, offerResponse, parseOfferId } from '../data/offers.ts';
import { ALLEGRO_MEDIA_TYPE, apiGuard, notFound, sellerStore, type ApiDeps } from './context.ts';

/** `GET /me` (OpenAPI MeResponse) and `GET /sale/product-offers/{offerId}` (SaleProductOfferResponseV1). */
export function registerSellerRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const preHandler = apiGuard(deps);

  app.get('/me', { preHandler }, async (request, reply) => {
    const store = sellerStore(deps, request, reply);
    if (!store) return reply;
    const a = store.account;
    return reply.type(ALLEGRO_MEDIA_TYPE).send({
      id: a.id,
      login: a.login,
      firstName: a.firstName,
      lastName: a.lastName,
      email: a.email,
      baseMarketplace: { id: 'allegro-pl' },
      company: { name: a.company.name, taxId: a.company.taxId },
      features: [],
    });
  });

  app.get('/sale/product-offers/:offerId', { preHandler }, async (request, reply) => {
    const store = sellerStore(deps, request, reply);
    if (!store) return reply;
    const { offerId } = request.params as { offerId: string };
    const parsed = parseOfferId(offerId);
    // Another seller's offer is as invisible as a missing one.
    if (!parsed || parsed.accountIndex !== store.accountIndex) return notFound(reply, `Offer ${offerId}`);
    const offer = makeOffer(deps.config.seed, parsed.accountIndex, parsed.k);
    const createdAt = new Date(store.anchor - 60 * 24 * 3600 * 1000).toISOString();
    return reply.type(ALLEGRO_MEDIA_TYPE).send(offerResponse(offer, createdAt));
  });
}
