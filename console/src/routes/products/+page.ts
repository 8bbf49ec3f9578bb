import { DATA, readForPage } from '$lib/page-data.ts';
import { api } from '$lib/trpc.ts';
import type { PageLoad } from './$types.js';
import { queryOf } from './filters.ts';

/** Reads again whenever the URL's search changes, and on `invalidate` (Search, a save, polling). */
export const load: PageLoad = ({ parent, depends, url }) => {
  depends(DATA.products);
  const query = queryOf(url.searchParams);
  return readForPage({ parent, read: () => api.products.list.query(query) });
};
