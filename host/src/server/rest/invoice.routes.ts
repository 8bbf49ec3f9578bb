import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listInvoices, findAccessibleInvoice } from '../../api/queries/invoices.ts';
import { notFound } from '../../errors.ts';
import { parseInput, requirePrincipal, type RestDeps } from './rest-helpers.ts';

const ListQuery = z.object({
  integrationId: z.string().min(1).max(100).optional(),
  tenantId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  offset: z.coerce.number().int().min(0).optional(),
});

/** `GET /api/v1/invoices` and `GET /api/v1/invoices/:id/pdf` (SPEC "Interfaces"). */
export function registerInvoiceRoutes(app: FastifyInstance, deps: RestDeps): void {
  const fork = () => deps.services.db.orm.em.fork();

  app.get('/api/v1/invoices', async (request) => {
    const principal = await requirePrincipal(deps, request);
    const query = parseInput(ListQuery, request.query, 'query string');
    return listInvoices(fork(), {
      principal,
      ...(query.integrationId ? { integrationId: query.integrationId } : {}),
      ...(query.tenantId ? { tenantId: query.tenantId } : {}),
      ...(query.limit ? { limit: query.limit } : {}),
      ...(query.offset ? { offset: query.offset } : {}),
    });
  });

  app.get<{ Params: { id: string } }>('/api/v1/invoices/:id/pdf', async (request, reply) => {
    const principal = await requirePrincipal(deps, request);
    const em = fork();
    const invoice = await findAccessibleInvoice(em, principal, request.params.id);
    const pdf = await deps.services.invoiceDocuments.pdf(invoice.id);
    if (!pdf) throw notFound('The invoice');
    const filename = `invoice-${invoice.number.replace(/[^A-Za-z0-9._-]+/g, '-')}.pdf`;
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="${filename}"`)
      .send(pdf);
  });
}
