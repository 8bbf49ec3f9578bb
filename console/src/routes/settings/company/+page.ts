import { readForPage } from '$lib/page-data.ts';
import { api } from '$lib/trpc.ts';
import type { PageLoad } from './$types.js';
import { companyForm } from './company-form.ts';

export const load: PageLoad = ({ parent }) =>
  readForPage({
    parent,
    read: async () => {
      const { tenant, company } = await api.tenant.get.query();
      return { tenantName: tenant.name, company: companyForm(company), missing: company?.missing ?? [] };
    },
  });
