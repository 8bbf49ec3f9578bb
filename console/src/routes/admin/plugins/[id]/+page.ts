import { loadPageData } from '$lib/page-data.ts';
import { isAdmin } from '$lib/session.svelte.ts';
import { api } from '$lib/trpc.ts';
import type { PageLoad } from './$types.js';

export const load = (({ parent, params }) =>
  loadPageData(
    parent,
    async () => {
      const catalog = await api.plugins.catalog.query();
      const found = catalog.plugins.find((p) => p.id === params.id);
      if (!found) throw new Error(`No loaded plugin has the id '${params.id}'.`);
      return found;
    },
    isAdmin,
  )) satisfies PageLoad;
