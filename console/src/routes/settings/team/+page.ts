import { DATA, readForPage } from '$lib/page-data.ts';
import { api } from '$lib/trpc.ts';
import type { PageLoad } from './$types.js';

/** Only a tenant admin manages the team; others are told so, and nothing is asked. */
export const load: PageLoad = ({ parent, depends }) => {
  depends(DATA.team);
  return readForPage({
    parent,
    allowed: (user) => user.role === 'tenant_admin',
    read: async () => (await api.team.users.query()).users,
  });
};
