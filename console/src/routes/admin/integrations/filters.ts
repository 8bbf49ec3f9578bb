import type { AdminSort, Health } from '$lib/api-types.ts';

// The list's filters live in the URL, so a dashboard tile or a shared link opens the same view.

export const LIMIT = 20;
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

/** The filters as the URL holds them (the form's values). */
export function filtersOf(params: URLSearchParams) {
  return {
    tenantId: params.get('tenant') ?? '',
    pluginId: params.get('plugin') ?? '',
    health: params.get('health') ?? '',
    sort: params.get('sort') ?? 'createdAt:desc',
    offset: Number(params.get('offset') ?? 0) || 0,
  };
}

/** The `admin.integrations` query for the URL's filters; unknown values are left out. */
export function queryOf(params: URLSearchParams) {
  const { tenantId, pluginId, health, sort, offset } = filtersOf(params);
  const [sortBy, order] = sort.split(':') as [AdminSort, 'asc' | 'desc'];
  return {
    ...(tenantId ? { tenantId } : {}),
    ...(pluginId ? { pluginId } : {}),
    ...(HEALTH.some((h) => h.value === health) ? { health: health as Health } : {}),
    ...(SORTS.some((s) => s.value === sort) ? { sort: sortBy, order } : {}),
    limit: LIMIT,
    offset,
  };
}
