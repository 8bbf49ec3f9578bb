import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { Company, InvoiceSeries, Tenant } from '../db/entities/index.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { TenancyError } from '../errors.ts';
import { assertSlug, slugify } from './slug.ts';

export interface CompanyIdentityInput {
  legalName: string;
  taxId: string;
  registrationNumber?: string;
  address: Readonly<Record<string, string>>;
  country: string;
  defaultCurrency: string;
  vatStatus: string;
  bankAccount?: string;
}

/** Polish "Faktura VAT": the seeds' invoicing platform numbers invoices `FV/2025/1`. */
export const DEFAULT_SERIES_CODE = 'FV';

const slugTaken = (slug: string) =>
  new TenancyError(
    'TENANT_SLUG_TAKEN',
    `A tenant with the slug "${slug}" already exists; choose another --slug.`,
  );

/**
 * A tenant with its default company (named after it) and that company's default invoice series,
 * in one transaction, so a tenant can issue invoices from the start.
 */
export async function createTenant({
  em,
  name,
  slug,
  actorUserId = null,
  company: identity,
}: {
  em: EntityManager;
  name: string;
  slug?: string | undefined;
  actorUserId?: string | null;
  /** The seller's identity (seller-identity.ts); without it the company waits for its details. */
  company?: CompanyIdentityInput | undefined;
}): Promise<{ id: string; slug: string; companyId: string }> {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200) {
    throw new TenancyError('TENANT_NAME_INVALID', 'A tenant name must be 1–200 characters.');
  }
  const finalSlug = slug?.trim() || slugify(trimmed);
  if (!finalSlug) {
    throw new TenancyError(
      'TENANT_SLUG_INVALID',
      `No slug can be made from the name "${trimmed}"; pass one with --slug.`,
    );
  }
  assertSlug(finalSlug);
  try {
    return await em.transactional(async (tx) => {
      if (await tx.findOne(Tenant, { slug: finalSlug })) throw slugTaken(finalSlug);
      // The entities hold plain id columns, not relations, so the ORM cannot order the inserts for
      // the foreign keys: flush parent before child.
      const tenant = tx.create(Tenant, { id: randomUUID(), name: trimmed, slug: finalSlug });
      await tx.flush();
      const company = tx.create(Company, {
        id: randomUUID(),
        tenantId: tenant.id,
        name: trimmed,
        isDefault: true,
        ...(identity
          ? {
              legalName: identity.legalName,
              taxId: identity.taxId,
              registrationNumber: identity.registrationNumber ?? null,
              address: { ...identity.address },
              country: identity.country,
              defaultCurrency: identity.defaultCurrency,
              vatStatus: identity.vatStatus,
              bankAccount: identity.bankAccount ?? null,
            }
          : {}),
      });
      await tx.flush();
      tx.create(InvoiceSeries, {
        tenantId: tenant.id,
        companyId: company.id,
        code: DEFAULT_SERIES_CODE,
        isDefault: true,
      });
      recordAudit(tx, {
        tenantId: tenant.id,
        actorUserId,
        action: 'tenant.create',
        targetType: 'tenant',
        targetId: tenant.id,
        details: { slug: finalSlug, name: trimmed },
      });
      await tx.flush();
      return { id: tenant.id, slug: finalSlug, companyId: company.id };
    });
  } catch (error) {
    // Two creators raced past the check: the unique index decides.
    if (error instanceof UniqueConstraintViolationException) throw slugTaken(finalSlug);
    throw error;
  }
}
