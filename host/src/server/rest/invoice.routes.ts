import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HOLD_REASONS, listHeldInvoices } from '../../api/queries/held-invoices.ts';
import { CorrectionInput, documentWithLinks, requestCorrection } from '../../api/queries/corrections.ts';
import { invoicesCsv } from '../../api/queries/invoices-csv.ts';
import {
  findAccessibleInvoice,
  givenFilters,
  InvoiceFilterInput,
  listInvoices,
} from '../../api/queries/invoices.ts';
import { findAccessibleIntegration } from '../../integrations/access.ts';
import { notFound } from '../../errors.ts';
import { requirePrincipal, type RestDeps } from './rest-caller.ts';
import { parseInput } from './rest-input.ts';

const ListQuery = InvoiceFilterInput.extend({
  limit: z.coerce.number().int().min(1).max(200).optional(),
  offset: z.coerce.number().int().min(0).optional(),
});

const HeldQuery = z.object({
  integrationId: z.uuid().optional(),
  tenantId: z.uuid().optional(),
  reason: z.enum(HOLD_REASONS).optional(),
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
      ...givenFilters(query),
      ...(query.limit ? { limit: query.limit } : {}),
      ...(query.offset ? { offset: query.offset } : {}),
    });
  });

  // The filtered set as CSV, streamed page by page (the list's filters; paging does not apply).
  app.get('/api/v1/invoices.csv', async (request, reply) => {
    const principal = await requirePrincipal(deps, request);
    const query = parseInput(ListQuery, request.query, 'query string');
    const filters = { principal, ...givenFilters(query) };
    // An integration the caller may not see answers 404 before any byte is sent.
    if (filters.integrationId) await findAccessibleIntegration(fork(), principal, filters.integrationId);
    const day = new Date().toISOString().slice(0, 10);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="invoices-${day}.csv"`)
      .send(Readable.from(invoicesCsv(deps.services.db, filters)));
  });

  // Orders waiting for their invoice ("awaiting company details", an invalid VAT rate, no rate yet).
  app.get('/api/v1/invoices/held', async (request) => {
    const principal = await requirePrincipal(deps, request);
    const query = parseInput(HeldQuery, request.query, 'query string');
    if (query.integrationId) await findAccessibleIntegration(fork(), principal, query.integrationId);
    return listHeldInvoices(deps.services.db.pool, {
      principal,
      ...(query.tenantId ? { tenantId: query.tenantId } : {}),
      ...(query.integrationId ? { integrationId: query.integrationId } : {}),
      ...(query.reason ? { reason: query.reason } : {}),
      ...(query.limit ? { limit: query.limit } : {}),
      ...(query.offset ? { offset: query.offset } : {}),
    });
  });

  app.get<{ Params: { id: string } }>('/api/v1/invoices/:id', async (request) => {
    const principal = await requirePrincipal(deps, request);
    return documentWithLinks(
      deps.services.db.pool,
      await findAccessibleInvoice(fork(), principal, request.params.id),
    );
  });

  // A correction of an invoice (issue 21): issued once per key; 400 with what to fix, 409 when
  // nothing is left to correct.
  app.post<{ Params: { id: string } }>('/api/v1/invoices/:id/corrections', async (request, reply) => {
    const principal = await requirePrincipal(deps, request);
    const input = parseInput(CorrectionInput, request.body, 'correction');
    const issued = await requestCorrection({
      em: fork(),
      pool: deps.services.db.pool,
      principal,
      invoiceId: request.params.id,
      input,
    });
    return reply.status(issued.created ? 201 : 200).send(issued);
  });

  // The clearance XML a clearance plugin made (FA(3), UBL) and the authority's receipt (UPO).
  for (const [suffix, kind, what] of [
    ['xml', 'xml', 'The clearance XML of this invoice'],
    ['clearance-receipt', 'receipt', 'The clearance receipt of this invoice'],
  ] as const) {
    app.get<{ Params: { id: string } }>(`/api/v1/invoices/:id/${suffix}`, async (request, reply) => {
      const principal = await requirePrincipal(deps, request);
      const invoice = await findAccessibleInvoice(fork(), principal, request.params.id);
      const { rows } = await deps.services.db.pool.query<{
        file_name: string;
        media_type: string;
        content: string;
      }>(
        'select file_name, media_type, content from invoice_clearance_files where invoice_id = $1 and kind = $2',
        [invoice.id, kind],
      );
      const file = rows[0];
      if (!file) throw notFound(what);
      return reply
        .type(file.media_type)
        .header(
          'content-disposition',
          `inline; filename="${file.file_name.replace(/[^A-Za-z0-9._-]+/g, '-')}"`,
        )
        .send(
          // Text files are kept as text; anything else (the e-Factura signed zip) as Base64.
          /^(text\/|application\/(xml|json)|[^;]*\+xml)/.test(file.media_type)
            ? file.content
            : Buffer.from(file.content, 'base64'),
        );
    });
  }

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
