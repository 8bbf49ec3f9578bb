// The admin integrations list's filters: they live in the URL, so a dashboard tile or a shared link
// opens the same view; the page's `load` turns them into the `admin.integrations` query.
import type { AdminSort, Health } from './api-types.ts';

export const PAGE_SIZE = 20;

export const HEALTH: { value: Health; label: string }[] = [
  { value: 'healthy', label: 'Healthy' },
  { value: 'failing', label: 'Failing' },
  { value: 'needs_reauth', label: 'Needs re-auth' },
  { value: 'pending_auth', label: 'Pending auth' },
  { value: 'disabled', label: 'Disabled' },
];

export const SORTS: { value: `${AdminSort}:${'asc' | 'desc'}`; label: string }[] = [
  { value: 'createdAt:desc', label: 'Newest first' },
  { value: 'lastSyncAt:desc', label: 'Last sync, newest first' },
  { value: 'lastSyncAt:asc', label: 'Last sync, oldest first' },
  { value: 'pluginId:asc', label: 'Plugin' },
  { value: 'label:asc', label: 'Account name' },
  { value: 'status:asc', label: 'Status' },
  { value: 'syncErrorCount:desc', label: 'Most failed syncs' },
];

export interface AdminFilters {
  tenantId: string;
  pluginId: string;
  health: string;
  sort: string;
  offset: number;
}

export function filtersOf(params: URLSearchParams): AdminFilters {
  return {
    tenantId: params.get('tenant') ?? '',
    pluginId: params.get('plugin') ?? '',
    health: params.get('health') ?? '',
    sort: params.get('sort') ?? 'createdAt:desc',
    offset: Number(params.get('offset') ?? 0) || 0,
  };
}

/** The `admin.integrations` input for these filters; unknown health or sort values are ignored. */
export function adminQuery(filters: AdminFilters) {
  const [sortBy, order] = filters.sort.split(':') as [AdminSort, 'asc' | 'desc'];
  const health = HEALTH.find((h) => h.value === filters.health)?.value;
  return {
    ...(filters.tenantId ? { tenantId: filters.tenantId } : {}),
    ...(filters.pluginId ? { pluginId: filters.pluginId } : {}),
    ...(health ? { health } : {}),
    ...(SORTS.some((s) => s.value === filters.sort) ? { sort: sortBy, order } : {}),
    limit: PAGE_SIZE,
    offset: filters.offset,
  };
}
