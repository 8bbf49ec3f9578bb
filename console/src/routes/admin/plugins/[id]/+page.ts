import { DATA, readForPage, type Loaded } from '$lib/page-data.ts';
import { isAdmin } from '$lib/session.svelte.ts';
import { api } from '$lib/trpc.ts';
import type { PluginInfo } from '$lib/api-types.ts';
import type { PageLoad } from './$types.js';

export const load: PageLoad = async ({ parent, depends, params }): Promise<Loaded<PluginInfo>> => {
  depends(DATA.catalog);
  const catalog = await readForPage({ parent, allowed: isAdmin, read: () => api.plugins.catalog.query() });
  if (!catalog.value) return catalog;
  const found = catalog.value.plugins.find((p) => p.id === params.id);
  return found
    ? { value: found, failure: null }
    : { value: null, failure: `No loaded plugin has the id '${params.id}'.` };
};
