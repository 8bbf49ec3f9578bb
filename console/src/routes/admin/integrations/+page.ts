import { adminQuery, filtersOf } from '$lib/admin-filters.ts';
import { loadPageData } from '$lib/page-data.ts';
import { isAdmin } from '$lib/session.svelte.ts';
import { api } from '$lib/trpc.ts';
import type { PageLoad } from './$types.js';

/** Re-run on every filter change (the URL): one tRPC batch of the three queries. */
export const load = (({ parent, url, depends }) => {
  depends('app:admin-integrations');
  const query = adminQuery(filtersOf(url.searchParams));
  return loadPageData(
    parent,
    async () => {
      const [tenants, catalog, result] = await Promise.all([
        api.admin.tenants.query(),
        api.plugins.catalog.query(),
        api.admin.integrations.query(query),
      ]);
      return { tenants, plugins: catalog.plugins, ...result };
    },
    isAdmin,
  );
}) satisfies PageLoad;
