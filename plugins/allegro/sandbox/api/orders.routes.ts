import type { FastifyInstance } from 'fastify';
import { disorder, eventBody, latestEvent, readEvents } from '../events.ts';
import { EVENT_TYPES } from '../data/order-header.ts';
import { UUID_PATTERN } from '../data/ids.ts';
import { apiGuard, notFound, sellerStore, unprocessable, type ApiDeps } from './context.ts';
import { listCheckoutForms, parseListQuery } from './list-query.ts';

type Query = Record<string, string | string[] | undefined>;

const asList = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).filter(Boolean);

/** Order reading endpoints (OpenAPI "Order management"; reference/README.md "Orders"). */
export function registerOrderRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const preHandler = apiGuard(deps);

  app.get('/order/events', { preHandler }, async (request, reply) => {
    const store = sellerStore(deps, request, reply);
    if (!store) return reply;
    const q = request.query as Query;
    const limitRaw = typeof q.limit === 'string' ? q.limit : '100';
    const limit = Number(limitRaw);
    if (!/^\d+$/.test(limitRaw) || limit < 1 || limit > 1000) {
      return unprocessable(reply, 'limit must be an integer between 1 and 1000', 'limit');
    }
    const fromRaw = typeof q.from === 'string' ? q.from : undefined;
    // Event ids are 16-digit numbers; anything past 2^53 is no id this log ever gave out.
    if (fromRaw !== undefined && (!/^\d{1,16}$/.test(fromRaw) || !Number.isSafeInteger(Number(fromRaw))))
      return unprocessable(reply, 'Invalid event id in from', 'from');
    const types = asList(q.type);
    const unknown = types.find((t) => !(EVENT_TYPES as readonly string[]).includes(t));
    if (unknown) return unprocessable(reply, `Unknown event type: ${unknown}`, 'type');
    const f = deps.faults.get();
    const events = readEvents(store, {
      from: fromRaw === undefined ? undefined : Number(fromRaw),
      types: types.length > 0 ? new Set(types) : undefined,
      limit,
      missingRate: f.missingEvents,
    });
    const page = disorder(store, events, f);
    return reply
      .type('application/vnd.allegro.public.v1+json')
      .send({ events: page.map((e) => eventBody(store, e)) });
  });

  app.get('/order/event-stats', { preHandler }, async (request, reply) => {
    const store = sellerStore(deps, request, reply);
    if (!store) return reply;
    const latest = latestEvent(store);
    return reply
      .type('application/vnd.allegro.public.v1+json')
      .send(
        latest
          ? { latestEvent: { id: String(latest.id), occurredAt: new Date(latest.at).toISOString() } }
          : {},
      );
  });

  app.get('/order/checkout-forms', { preHandler }, async (request, reply) => {
    const store = sellerStore(deps, request, reply);
    if (!store) return reply;
    const parsed = parseListQuery(request.query as Query);
    if (!parsed.ok) return unprocessable(reply, parsed.message, parsed.path);
    const { indices, totalCount } = listCheckoutForms(store, parsed.query);
    const checkoutForms = indices.map((i) => store.form(i));
    return reply
      .type('application/vnd.allegro.public.v1+json')
      .send({ checkoutForms, count: checkoutForms.length, totalCount });
  });

  app.get('/order/checkout-forms/:id', { preHandler }, async (request, reply) => {
    const store = sellerStore(deps, request, reply);
    if (!store) return reply;
    const { id } = request.params as { id: string };
    if (!UUID_PATTERN.test(id)) return unprocessable(reply, 'Checkout form id must be a UUID', 'id');
    const index = store.find(id);
    if (index === null) return notFound(reply, `Checkout form ${id}`);
    return reply.type('application/vnd.allegro.public.v1+json').send(store.form(index));
  });
}
