import { z } from 'zod';
import { InvoiceSeriesStore, SERIES_DOCUMENT_TYPES, SERIES_RESETS } from '../invoicing/invoice-series.ts';
import { notFound } from '../errors.ts';
import { actingTenantId } from '../integrations/access.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { authedProcedure, router, tenantAdminProcedure } from './trpc.ts';
import type { Principal, RequestContext } from './context.ts';

type Context = RequestContext & { principal: Principal };

const Fields = {
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'must be 1 to 32 letters, digits, "-" or "_"'),
  pattern: z.string().trim().min(3).max(64),
  reset: z.enum(SERIES_RESETS),
  documentType: z.enum(SERIES_DOCUMENT_TYPES),
  currency: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{3}$/, 'must be a 3-letter currency code (PLN, RON, EUR …)')
    .transform((c) => c.toUpperCase())
    .nullable(),
};

/** The company a series belongs to: the one named, else the tenant's default company. */
async function companyOf(ctx: Context, tenantId: string, companyId?: string): Promise<string> {
  const { rows } = await ctx.services.db.pool.query<{ id: string }>(
    `select id from companies where tenant_id = $1 and ($2::uuid is null or id = $2::uuid)
      order by is_default desc, created_at asc limit 1`,
    [tenantId, companyId ?? null],
  );
  if (!rows[0]) throw notFound('The company');
  return rows[0].id;
}

const store = (ctx: Context) => new InvoiceSeriesStore(ctx.services.db.pool);

async function record(
  ctx: Context,
  tenantId: string,
  action: string,
  target: { type: string; id: string },
  details: Record<string, unknown>,
) {
  const em = ctx.services.db.orm.em.fork();
  recordAudit(em, {
    tenantId,
    actorUserId: ctx.principal.userId,
    action,
    targetType: target.type,
    targetId: target.id,
    details,
  });
  await em.flush();
}

/**
 * Numbering series of a company's documents (issue 17 "Series"), and the series an integration's
 * invoices are numbered in.
 */
export const invoiceSeriesRouter = router({
  list: authedProcedure
    .input(z.object({ tenantId: z.uuid().optional(), companyId: z.uuid().optional() }).optional())
    .query(({ ctx, input }) =>
      store(ctx).list({
        tenantId: actingTenantId(ctx.principal, input?.tenantId),
        companyId: input?.companyId ?? null,
      }),
    ),

  create: tenantAdminProcedure
    .input(
      z.object({
        tenantId: z.uuid().optional(),
        companyId: z.uuid().optional(),
        code: Fields.code,
        pattern: Fields.pattern,
        reset: Fields.reset.default('yearly'),
        documentType: Fields.documentType.default('invoice'),
        currency: Fields.currency.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const tenantId = actingTenantId(ctx.principal, input.tenantId);
      const companyId = await companyOf(ctx, tenantId, input.companyId);
      const created = await store(ctx).create({
        tenantId,
        companyId,
        code: input.code,
        pattern: input.pattern,
        reset: input.reset,
        documentType: input.documentType,
        currency: input.currency ?? null,
      });
      await record(
        ctx,
        tenantId,
        'invoice_series.created',
        { type: 'invoice_series', id: created.id },
        {
          code: created.code,
        },
      );
      return created;
    }),

  update: tenantAdminProcedure
    .input(
      z.object({
        tenantId: z.uuid().optional(),
        id: z.uuid(),
        pattern: Fields.pattern.optional(),
        reset: Fields.reset.optional(),
        currency: Fields.currency.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const tenantId = actingTenantId(ctx.principal, input.tenantId);
      const { tenantId: _, id, ...fields } = input;
      const updated = await store(ctx).update({ tenantId, id, ...fields });
      await record(
        ctx,
        tenantId,
        'invoice_series.updated',
        { type: 'invoice_series', id },
        {
          changed: Object.keys(fields),
        },
      );
      return updated;
    }),

  /** The series an integration's invoices are numbered in; null: the company's default per currency. */
  choose: tenantAdminProcedure
    .input(
      z.object({ tenantId: z.uuid().optional(), integrationId: z.uuid(), seriesId: z.uuid().nullable() }),
    )
    .mutation(async ({ ctx, input }) => {
      const tenantId = actingTenantId(ctx.principal, input.tenantId);
      await store(ctx).choose({ tenantId, integrationId: input.integrationId, seriesId: input.seriesId });
      await record(
        ctx,
        tenantId,
        'integration.series_chosen',
        { type: 'integration', id: input.integrationId },
        {
          seriesId: input.seriesId,
        },
      );
      return { integrationId: input.integrationId, seriesId: input.seriesId };
    }),

  /** The series an integration's invoices are numbered in now (null: the default per currency). */
  chosen: authedProcedure
    .input(z.object({ tenantId: z.uuid().optional(), integrationId: z.uuid() }))
    .query(async ({ ctx, input }) => {
      const tenantId = actingTenantId(ctx.principal, input.tenantId);
      const { seriesId, companyId } = await store(ctx).chosen({
        tenantId,
        integrationId: input.integrationId,
      });
      return { integrationId: input.integrationId, seriesId, companyId };
    }),
});
