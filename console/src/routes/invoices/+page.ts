import { DATA, readForPage } from '$lib/page-data.ts';
import { api } from '$lib/trpc.ts';
import type { PageLoad } from './$types.js';
import { queryOf } from './filters.ts';

/** Reads again whenever the URL's search changes; the integrations (for the filter) ride along. */
export const load: PageLoad = ({ parent, depends, url }) => {
  depends(DATA.invoices);
  const query = queryOf(url.searchParams);
  return readForPage({
    parent,
    read: async () => {
      const [list, integrations] = await Promise.all([
        api.invoices.list.query(query),
        api.integrations.list.query({}),
      ]);
      return { ...list, integrations };
    },
  });
};
