import type { Integration, PluginInfo } from '$lib/api-types.ts';
import { DATA, readForPage } from '$lib/page-data.ts';
import { api } from '$lib/trpc.ts';
import type { PageLoad } from './$types.js';

export const load: PageLoad = ({ parent, depends }) => {
  depends(DATA.integrations);
  return readForPage({
    parent,
    read: async (): Promise<{ plugins: PluginInfo[]; integrations: Integration[] }> => {
      const [plugins, integrations] = await Promise.all([
        api.plugins.list.query(),
        api.integrations.list.query({}),
      ]);
      return { plugins, integrations };
    },
  });
};
