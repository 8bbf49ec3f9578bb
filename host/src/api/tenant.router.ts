import type { EntityManager } from '@mikro-orm/core';
import { z } from 'zod';
import { Company, type ICompany } from '../db/entities/company.entity.ts';
import { Tenant } from '../db/entities/tenant.entity.ts';
import { notFound } from '../errors.ts';
import { actingTenantId } from '../integrations/access.ts';
import { audit } from '../integrations/audit.ts';
import { authedProcedure, router, tenantAdminProcedure } from './trpc.ts';

const companyView = (c: ICompany) => ({
  id: c.id,
  name: c.name,
  taxId: c.taxId ?? null,
  registrationNumber: c.registrationNumber ?? null,
  address: c.address ?? null,
  country: c.country,
  defaultCurrency: c.defaultCurrency,
});

async function defaultCompany(em: EntityManager, tenantId: string): Promise<ICompany | null> {
  return (
    (await em.findOne(Company, { tenantId, isDefault: true })) ??
    (await em.findOne(Company, { tenantId }, { orderBy: { createdAt: 'asc' } }))
  );
}

const AddressSchema = z.object({
  street: z.string().max(300).optional(),
  city: z.string().max(200).optional(),
  postalCode: z.string().max(32).optional(),
  region: z.string().max(200).optional(),
  country: z.string().max(100).optional(),
});

/** The caller's tenant and the seller's company (the issuer on its invoices). */
export const tenantRouter = router({
  get: authedProcedure
    .input(z.object({ tenantId: z.uuid().optional() }).optional())
    .query(async ({ ctx, input }) => {
      const tenantId = actingTenantId(ctx.principal, input?.tenantId);
      const em = ctx.services.db.orm.em.fork();
      const tenant = await em.findOne(Tenant, { id: tenantId });
      if (!tenant) throw notFound('The tenant');
      const company = await defaultCompany(em, tenantId);
      return {
        tenant: {
          id: tenant.id,
          slug: tenant.slug,
          name: tenant.name,
          createdAt: new Date(tenant.createdAt).toISOString(),
        },
        company: company ? companyView(company) : null,
      };
    }),

  updateCompany: tenantAdminProcedure
    .input(
      z.object({
        tenantId: z.uuid().optional(),
        name: z.string().trim().min(1).max(300),
        taxId: z.string().trim().max(64).nullable().optional(),
        registrationNumber: z.string().trim().max(64).nullable().optional(),
        address: AddressSchema.nullable().optional(),
        country: z
          .string()
          .regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code such as PL')
          .optional(),
        defaultCurrency: z
          .string()
          .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as PLN')
          .optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const tenantId = actingTenantId(ctx.principal, input.tenantId);
      const em = ctx.services.db.orm.em.fork();
      if (!(await em.findOne(Tenant, { id: tenantId }))) throw notFound('The tenant');
      const company =
        (await defaultCompany(em, tenantId)) ??
        em.create(Company, { tenantId, name: input.name, isDefault: true });
      company.name = input.name;
      if (input.taxId !== undefined) company.taxId = input.taxId || null;
      if (input.registrationNumber !== undefined)
        company.registrationNumber = input.registrationNumber || null;
      if (input.address !== undefined) company.address = input.address;
      if (input.country) company.country = input.country;
      if (input.defaultCurrency) company.defaultCurrency = input.defaultCurrency;
      audit(em, {
        tenantId,
        actorUserId: ctx.principal.userId,
        action: 'company.updated',
        targetType: 'company',
        targetId: company.id,
      });
      await em.flush();
      return { company: companyView(company) };
    }),
});
