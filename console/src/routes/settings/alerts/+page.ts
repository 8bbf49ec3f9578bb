import { readForPage } from '$lib/page-data.ts';
import { api } from '$lib/trpc.ts';
import type { PageLoad } from './$types.js';

/** Where the tenant's alerts are sent besides the console (tenant admins). */
export const load: PageLoad = ({ parent }) =>
  readForPage({
    parent,
    allowed: (user) => user.role === 'tenant_admin',
    read: () => api.alerts.webhook.query(),
  });
