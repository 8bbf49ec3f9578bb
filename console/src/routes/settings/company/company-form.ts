import type { api } from '$lib/trpc.ts';

/** The seller's legal entity, as `tenant.get`/`tenant.updateCompany` carry it, one string per field. */
export interface CompanyForm {
  name: string;
  legalName: string;
  taxId: string;
  registrationNumber: string;
  street: string;
  city: string;
  postalCode: string;
  county: string;
  country: string;
  defaultCurrency: string;
  vatStatus: string;
  bankAccount: string;
}

export const EMPTY_COMPANY: CompanyForm = {
  name: '',
  legalName: '',
  taxId: '',
  registrationNumber: '',
  street: '',
  city: '',
  postalCode: '',
  county: '',
  country: '',
  defaultCurrency: '',
  vatStatus: '',
  bankAccount: '',
};

type Company = Awaited<ReturnType<typeof api.tenant.get.query>>['company'];

/** The form's values for the company the host holds (none yet: every field empty). */
export function companyForm(c: Company): CompanyForm {
  const address = (c?.address ?? {}) as Record<string, string | undefined>;
  return {
    name: c?.name ?? '',
    legalName: c?.legalName ?? '',
    taxId: c?.taxId ?? '',
    registrationNumber: c?.registrationNumber ?? '',
    street: address.street ?? '',
    city: address.city ?? '',
    postalCode: address.postalCode ?? '',
    county: address.county ?? '',
    country: c?.country ?? '',
    defaultCurrency: c?.defaultCurrency ?? '',
    vatStatus: c?.vatStatus ?? '',
    bankAccount: c?.bankAccount ?? '',
  };
}
