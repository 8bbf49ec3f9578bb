import { z } from 'zod';
import { DOCUMENT_LANGUAGES } from '../invoicing/pdf-document.ts';
import { INVOICE_LAYOUTS } from '../invoicing/pdf.ts';
import { InvoiceTemplates, MAX_LOGO_BYTES } from '../invoicing/invoice-templates.ts';
import { invalidInput, notFound } from '../errors.ts';
import { actingTenantId } from '../integrations/access.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { authedProcedure, router, tenantAdminProcedure } from './trpc.ts';
import type { Principal, RequestContext } from './context.ts';

type Context = RequestContext & { principal: Principal };

const Fields = {
  name: z.string().trim().min(1).max(100),
  layout: z.enum(INVOICE_LAYOUTS),
  footerNote: z.string().trim().max(1000).nullable(),
  secondLanguage: z.enum(DOCUMENT_LANGUAGES).nullable(),
};

/** The company a template belongs to: the one named, else the tenant's default company. */
async function companyOf(ctx: Context, tenantId: string, companyId?: string): Promise<string> {
  const { rows } = await ctx.services.db.pool.query<{ id: string }>(
    `select id from companies where tenant_id = $1 and ($2::uuid is null or id = $2::uuid)
      order by is_default desc, created_at asc limit 1`,
    [tenantId, companyId ?? null],
  );
  if (!rows[0]) throw notFound('The company');
  return rows[0].id;
}

const templates = (ctx: Context) => new InvoiceTemplates(ctx.services.db.pool);

function record(
  ctx: Context,
  tenantId: string,
  action: string,
  id: string,
  details: Record<string, unknown>,
) {
  const em = ctx.services.db.orm.em.fork();
  recordAudit(em, {
    tenantId,
    actorUserId: ctx.principal.userId,
    action,
    targetType: 'invoice_template',
    targetId: id,
    details,
  });
  return em.flush();
}

/**
 * Invoice templates: layouts, logos and footer notes of a company's documents; integrations pick
 * one through their template setting (`x-host-choices: "invoiceTemplates"`).
 */
export const invoiceTemplatesRouter = router({
  list: authedProcedure
    .input(z.object({ tenantId: z.uuid().optional(), companyId: z.uuid().optional() }).optional())
    .query(({ ctx, input }) =>
      templates(ctx).list({
        tenantId: actingTenantId(ctx.principal, input?.tenantId),
        companyId: input?.companyId ?? null,
      }),
    ),

  create: tenantAdminProcedure
    .input(
      z.object({
        tenantId: z.uuid().optional(),
        companyId: z.uuid().optional(),
        name: Fields.name,
        layout: Fields.layout,
        footerNote: Fields.footerNote.optional(),
        secondLanguage: Fields.secondLanguage.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const tenantId = actingTenantId(ctx.principal, input.tenantId);
      const companyId = await companyOf(ctx, tenantId, input.companyId);
      const created = await templates(ctx).create({
        tenantId,
        companyId,
        name: input.name,
        layout: input.layout,
        footerNote: input.footerNote || null,
        secondLanguage: input.secondLanguage ?? null,
      });
      await record(ctx, tenantId, 'invoice_template.created', created.id, { name: created.name });
      return created;
    }),

  update: tenantAdminProcedure
    .input(
      z.object({
        tenantId: z.uuid().optional(),
        id: z.uuid(),
        name: Fields.name.optional(),
        layout: Fields.layout.optional(),
        footerNote: Fields.footerNote.optional(),
        secondLanguage: Fields.secondLanguage.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const tenantId = actingTenantId(ctx.principal, input.tenantId);
      const { tenantId: _, id, ...fields } = input;
      const updated = await templates(ctx).update({
        tenantId,
        id,
        ...fields,
        ...(fields.footerNote === '' ? { footerNote: null } : {}),
      });
      await record(ctx, tenantId, 'invoice_template.updated', id, { changed: Object.keys(fields) });
      return updated;
    }),

  /** The logo as base64 (PNG or JPEG, at most 512 KB), or null to remove it. */
  uploadLogo: tenantAdminProcedure
    .input(
      z.object({
        tenantId: z.uuid().optional(),
        id: z.uuid(),
        logo: z
          .string()
          .max(Math.ceil((MAX_LOGO_BYTES * 4) / 3) + 8, `must be at most ${MAX_LOGO_BYTES} bytes`)
          .nullable(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const tenantId = actingTenantId(ctx.principal, input.tenantId);
      if (input.logo !== null && !/^[A-Za-z0-9+/]*={0,2}$/.test(input.logo)) {
        throw invalidInput('The logo was not saved: it is not base64.', [
          { path: '/logo', code: 'INVALID_LOGO', message: 'must be the image file encoded as base64' },
        ]);
      }
      const bytes = input.logo === null ? null : Buffer.from(input.logo, 'base64');
      const updated = await templates(ctx).setLogo({ tenantId, id: input.id, logo: bytes });
      await record(ctx, tenantId, 'invoice_template.logo', input.id, { bytes: bytes?.length ?? 0 });
      return updated;
    }),
});
