import { z } from 'zod';
import { documentWithLinks, orderDocuments } from './queries/corrections.ts';
import {
  findAccessibleInvoice,
  givenFilters,
  InvoiceFilterInput,
  listInvoices,
  toInvoiceView,
} from './queries/invoices.ts';
import { findAccessibleIntegration } from '../integrations/access.ts';
import { authedProcedure, router } from './trpc.ts';

export const invoicesRouter = router({
  list: authedProcedure
    .input(
      InvoiceFilterInput.extend({
        limit: z.number().int().min(1).max(200).optional(),
        offset: z.number().int().min(0).optional(),
      }).optional(),
    )
    .query(({ ctx, input }) =>
      listInvoices(ctx.services.db.orm.em.fork(), {
        principal: ctx.principal,
        ...givenFilters(input),
        ...(input?.limit ? { limit: input.limit } : {}),
        ...(input?.offset ? { offset: input.offset } : {}),
      }),
    ),

  /** One document as `GET /api/v1/invoices/:id` answers it, with links to its clearance files. */
  document: authedProcedure
    .input(z.object({ id: z.string().min(1).max(100) }))
    .query(async ({ ctx, input }) => {
      const row = await findAccessibleInvoice(ctx.services.db.orm.em.fork(), ctx.principal, input.id);
      const pool = ctx.services.db.pool;
      const { rows } = await pool.query<{ kind: string }>(
        'select kind from invoice_clearance_files where invoice_id = $1',
        [row.id],
      );
      const kinds = new Set(rows.map((r) => r.kind));
      return {
        ...(await documentWithLinks(pool, row)),
        externalOrderId: row.externalOrderId ?? null,
        xmlUrl: kinds.has('xml') ? `/api/v1/invoices/${row.id}/xml` : null,
        receiptUrl: kinds.has('receipt') ? `/api/v1/invoices/${row.id}/clearance-receipt` : null,
      };
    }),

  /** An order's documents as one history: its invoice, then its corrections (issue 21). */
  orderHistory: authedProcedure
    .input(
      z.object({ integrationId: z.string().min(1).max(100), externalOrderId: z.string().min(1).max(200) }),
    )
    .query(async ({ ctx, input }) => {
      const em = ctx.services.db.orm.em.fork();
      const integration = await findAccessibleIntegration(em, ctx.principal, input.integrationId);
      return orderDocuments({
        em,
        tenantId: integration.tenantId,
        integrationId: integration.id,
        externalOrderId: input.externalOrderId,
      });
    }),

  get: authedProcedure
    .input(z.object({ id: z.string().min(1).max(100) }))
    .query(async ({ ctx, input }) =>
      toInvoiceView(await findAccessibleInvoice(ctx.services.db.orm.em.fork(), ctx.principal, input.id)),
    ),
});
