import type { EntityManager } from '@mikro-orm/core';
import { Integration } from '../db/entities/integration.entity.ts';
import { Tenant } from '../db/entities/tenant.entity.ts';
import { toIntegrationView, type Health, type IntegrationView } from './integration.view.ts';

const DAYS = 14;

export interface AdminMetrics {
  total: number;
  active: number;
  inError: number;
  needsReauth: number;
  disabled: number;
  pendingAuth: number;
  lastSyncAt: string | null;
  perDay: { day: string; runs: number; failures: number }[];
}

type Row = Record<string, unknown>;
const exec = (em: EntityManager, sql: string, params: unknown[] = []) =>
  em.getConnection().execute(sql, params, 'all') as Promise<Row[]>;

/** The admin dashboard's numbers (seed: total, active, in error, last sync) plus 14 days of runs. */
export async function adminMetrics(em: EntityManager, now = new Date()): Promise<AdminMetrics> {
  const byStatus = await exec(
    em,
    `select status, (consecutive_failures > 0) as failing, count(*)::int as n, max(last_sync_at) as last
       from integrations group by status, (consecutive_failures > 0)`,
  );
  const metrics: AdminMetrics = {
    total: 0,
    active: 0,
    inError: 0,
    needsReauth: 0,
    disabled: 0,
    pendingAuth: 0,
    lastSyncAt: null,
    perDay: [],
  };
  let last: Date | null = null;
  for (const row of byStatus) {
    const n = Number(row.n);
    const failing = row.failing === true || row.failing === 't';
    metrics.total += n;
    if (row.status === 'active') metrics.active += n;
    if (row.status === 'degraded' || (row.status === 'active' && failing)) metrics.inError += n;
    if (row.status === 'needs_reauth') metrics.needsReauth += n;
    if (row.status === 'disabled') metrics.disabled += n;
    if (row.status === 'pending_auth') metrics.pendingAuth += n;
    if (row.last) {
      const at = new Date(row.last as string | Date);
      if (!last || at > last) last = at;
    }
  }
  metrics.lastSyncAt = last ? last.toISOString() : null;

  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (DAYS - 1)));
  const runs = await exec(
    em,
    `select to_char(started_at at time zone 'UTC', 'YYYY-MM-DD') as day, count(*)::int as runs,
            count(*) filter (where status = 'failed')::int as failures
       from sync_runs where started_at >= ? group by 1`,
    [since],
  );
  const byDay = new Map(runs.map((r) => [String(r.day), r]));
  for (let i = 0; i < DAYS; i++) {
    const day = new Date(since.getTime() + i * 86_400_000).toISOString().slice(0, 10);
    const row = byDay.get(day);
    metrics.perDay.push({ day, runs: Number(row?.runs ?? 0), failures: Number(row?.failures ?? 0) });
  }
  return metrics;
}

export const ADMIN_SORTS = [
  'createdAt',
  'lastSyncAt',
  'label',
  'pluginId',
  'status',
  'syncErrorCount',
] as const;

function healthWhere(health: Health): Record<string, unknown> {
  switch (health) {
    case 'healthy':
      return { status: 'active', consecutiveFailures: 0 };
    case 'failing':
      return { $or: [{ status: 'degraded' }, { status: 'active', consecutiveFailures: { $gt: 0 } }] };
    case 'pending_auth':
    case 'needs_reauth':
    case 'disabled':
      return { status: health };
  }
}

/** Every tenant's integrations for the admin table, with the tenant's name. */
export async function adminIntegrations(
  em: EntityManager,
  input: {
    tenantId?: string;
    pluginId?: string;
    health?: Health;
    sort?: (typeof ADMIN_SORTS)[number];
    order?: 'asc' | 'desc';
    limit?: number;
    offset?: number;
  },
): Promise<{ items: (IntegrationView & { tenantName: string })[]; total: number }> {
  const where: Record<string, unknown> = {
    ...(input.tenantId ? { tenantId: input.tenantId } : {}),
    ...(input.pluginId ? { pluginId: input.pluginId } : {}),
    ...(input.health ? healthWhere(input.health) : {}),
  };
  const sort = input.sort ?? 'createdAt';
  const [rows, total] = await em.findAndCount(Integration, where, {
    orderBy: { [sort]: input.order ?? (sort === 'createdAt' ? 'desc' : 'asc'), id: 'asc' },
    limit: input.limit ?? 50,
    offset: input.offset ?? 0,
  });
  const tenantIds = [...new Set(rows.map((r) => r.tenantId))];
  const tenants = tenantIds.length ? await em.find(Tenant, { id: { $in: tenantIds } }) : [];
  const names = new Map(tenants.map((t) => [t.id, t.name]));
  return {
    items: rows.map((r) => ({ ...toIntegrationView(r), tenantName: names.get(r.tenantId) ?? '' })),
    total,
  };
}
