import { loadPageData } from '$lib/page-data.ts';
import { isAdmin } from '$lib/session.svelte.ts';
import { api } from '$lib/trpc.ts';
import type { PageLoad } from './$types.js';

export const load = (({ parent }) =>
  loadPageData(parent, () => api.admin.metrics.query(), isAdmin)) satisfies PageLoad;
