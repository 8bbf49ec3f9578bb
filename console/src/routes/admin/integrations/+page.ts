import { DATA, readForPage } from '$lib/page-data.ts';
import { isAdmin } from '$lib/session.svelte.ts';
import { api } from '$lib/trpc.ts';
import type { PageLoad } from './$types.js';
import { queryOf } from './filters.ts';

/** Reads again whenever the URL's filters change; tenants and plugins ride in the same batch. */
export const load: PageLoad = ({ parent, depends, url }) => {
  depends(DATA.adminIntegrations);
  const query = queryOf(url.searchParams);
  return readForPage({
    parent,
    allowed: isAdmin,
    read: async () => {
      const [tenants, catalog, list] = await Promise.all([
        api.admin.tenants.query(),
        api.plugins.catalog.query(),
        api.admin.integrations.query(query),
      ]);
      return { tenants, plugins: catalog.plugins, items: list.items, total: list.total };
    },
  });
};
