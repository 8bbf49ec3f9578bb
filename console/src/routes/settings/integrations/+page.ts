import { loadPageData } from '$lib/page-data.ts';
import { api } from '$lib/trpc.ts';
import type { PageLoad } from './$types.js';

export const load = (({ parent }) =>
  loadPageData(parent, async () => {
    const [plugins, integrations] = await Promise.all([
      api.plugins.list.query(),
      api.integrations.list.query({}),
    ]);
    return { plugins, integrations };
  })) satisfies PageLoad;
