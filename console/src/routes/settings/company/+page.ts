import { loadPageData } from '$lib/page-data.ts';
import { api } from '$lib/trpc.ts';
import type { PageLoad } from './$types.js';

export const load = (({ parent }) => loadPageData(parent, () => api.tenant.get.query())) satisfies PageLoad;
