import type { EntityManager } from '@mikro-orm/core';
import { z } from 'zod';
import { Company, type ICompany } from '../db/entities/company.entity.ts';
import { Tenant } from '../db/entities/tenant.entity.ts';
import { invalidInput, notFound } from '../errors.ts';
import { type CompanyIdentityRow, identityIssues } from '../invoicing/seller-identity.ts';
import { releaseHeld } from '../records/release.ts';
import { actingTenantId } from '../integrations/access.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { authedProcedure, router, tenantAdminProcedure } from './trpc.ts';

const identityOf = (c: ICompany): CompanyIdentityRow => ({
  name: c.name,
  legalName: c.legalName ?? null,
  taxId: c.taxId ?? null,
  registrationNumber: c.registrationNumber ?? null,
  address: c.address ?? null,
  country: c.country,
  vatStatus: c.vatStatus,
  bankAccount: c.bankAccount ?? null,
});

const companyView = (c: ICompany) => {
  const missing = identityIssues(identityOf(c));
  return {
    id: c.id,
    name: c.name,
    legalName: c.legalName ?? null,
    taxId: c.taxId ?? null,
    registrationNumber: c.registrationNumber ?? null,
    address: c.address ?? null,
    country: c.country,
    defaultCurrency: c.defaultCurrency,
    vatStatus: c.vatStatus,
    bankAccount: c.bankAccount ?? null,
    usesOss: c.usesOss,
    /** True when invoices may be issued in its name; else `missing` says what to fill in. */
    complete: missing.length === 0,
    missing: missing.map((i) => ({ field: i.field, message: i.message })),
  };
};

const pointer = (field: string) => `/${field.replaceAll('.', '/')}`;

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
  /** Romania: ISO 3166-2:RO (`RO-CJ`, `RO-B`). */
  county: z.string().max(8).optional(),
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
        legalName: z.string().trim().max(300).nullable().optional(),
        vatStatus: z.enum(['registered', 'exempt']).optional(),
        bankAccount: z.string().trim().max(64).nullable().optional(),
        usesOss: z.boolean().optional(),
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
      if (input.legalName !== undefined) company.legalName = input.legalName || null;
      if (input.vatStatus) company.vatStatus = input.vatStatus;
      if (input.bankAccount !== undefined)
        company.bankAccount = input.bankAccount ? input.bankAccount.replace(/\s/g, '').toUpperCase() : null;
      if (input.usesOss !== undefined) company.usesOss = input.usesOss;
      // A value given but wrong is refused, each at its field; one not given yet only keeps the
      // company's orders waiting (`complete: false`, `missing` in the answer).
      const invalid = identityIssues(identityOf(company)).filter((i) => i.kind === 'invalid');
      if (invalid.length) {
        throw invalidInput(
          `The company was not saved: ${invalid.map((i) => i.message).join(' ')}`,
          invalid.map((i) => ({ path: pointer(i.field), code: 'invalid', message: i.message })),
        );
      }
      recordAudit(em, {
        tenantId,
        actorUserId: ctx.principal.userId,
        action: 'company.updated',
        targetType: 'company',
        targetId: company.id,
      });
      await em.flush();
      // Orders that waited for these details are issued now.
      const view = companyView(company);
      const released = view.complete
        ? await releaseHeld({
            pool: ctx.services.db.pool,
            tenantId,
            templateSettings: ctx.services.invoiceDocuments.templateSettings,
          })
        : { issued: 0, held: 0 };
      return { company: view, released };
    }),
});
