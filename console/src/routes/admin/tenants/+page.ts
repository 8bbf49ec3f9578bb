import { DATA, readForPage } from '$lib/page-data.ts';
import { isAdmin } from '$lib/session.svelte.ts';
import { api } from '$lib/trpc.ts';
import type { PageLoad } from './$types.js';

export const load: PageLoad = ({ parent, depends }) => {
  depends(DATA.adminTenants);
  return readForPage({
    parent,
    allowed: isAdmin,
    read: async () => {
      const [tenants, catalog] = await Promise.all([api.admin.tenants.query(), api.plugins.catalog.query()]);
      return { tenants, plugins: catalog.plugins };
    },
  });
};
