import { loadPageData } from '$lib/page-data.ts';
import { isAdmin } from '$lib/session.svelte.ts';
import { api } from '$lib/trpc.ts';
import type { PageLoad } from './$types.js';

export const load = (({ parent, depends }) => {
  depends('app:tenants');
  return loadPageData(
    parent,
    async () => {
      const [tenants, catalog] = await Promise.all([api.admin.tenants.query(), api.plugins.catalog.query()]);
      return { tenants, plugins: catalog.plugins };
    },
    isAdmin,
  );
}) satisfies PageLoad;
