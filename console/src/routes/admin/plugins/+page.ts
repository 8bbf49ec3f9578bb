import { DATA, readForPage } from '$lib/page-data.ts';
import { isAdmin } from '$lib/session.svelte.ts';
import { api } from '$lib/trpc.ts';
import type { PageLoad } from './$types.js';

export const load: PageLoad = ({ parent, depends }) => {
  depends(DATA.catalog);
  return readForPage({ parent, allowed: isAdmin, read: () => api.plugins.catalog.query() });
};
