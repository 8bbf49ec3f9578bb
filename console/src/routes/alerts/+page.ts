import { DATA, readForPage } from '$lib/page-data.ts';
import { api } from '$lib/trpc.ts';
import type { PageLoad } from './$types.js';

export const load: PageLoad = ({ parent, depends }) => {
  depends(DATA.alerts);
  return readForPage({ parent, read: () => api.alerts.list.query() });
};
