import { z } from 'zod';
import { orderDocuments } from './queries/corrections.ts';
import { listInvoices, toInvoiceView, findAccessibleInvoice } from './queries/invoices.ts';
import { findAccessibleIntegration } from '../integrations/access.ts';
import { authedProcedure, router } from './trpc.ts';

export const invoicesRouter = router({
  list: authedProcedure
    .input(
      z
        .object({
          integrationId: z.string().min(1).max(100).optional(),
          tenantId: z.uuid().optional(),
          limit: z.number().int().min(1).max(200).optional(),
          offset: z.number().int().min(0).optional(),
        })
        .optional(),
    )
    .query(({ ctx, input }) =>
      listInvoices(ctx.services.db.orm.em.fork(), {
        principal: ctx.principal,
        ...(input?.integrationId ? { integrationId: input.integrationId } : {}),
        ...(input?.tenantId ? { tenantId: input.tenantId } : {}),
        ...(input?.limit ? { limit: input.limit } : {}),
        ...(input?.offset ? { offset: input.offset } : {}),
      }),
    ),

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
