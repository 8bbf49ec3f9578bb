import { DATA, readForPage } from '$lib/page-data.ts';
import { api } from '$lib/trpc.ts';
import type { PageLoad } from './$types.js';

export const load: PageLoad = ({ parent, depends }) => {
  depends(DATA.tokens);
  return readForPage({ parent, read: async () => (await api.account.tokens.query()).tokens });
};
