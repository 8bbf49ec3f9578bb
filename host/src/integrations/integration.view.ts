import type { IIntegration, IntegrationStatus } from '../db/entities/integration.entity.ts';

/** A coarse health the console colours and admins filter by. */
export const HEALTHS = ['healthy', 'failing', 'pending_auth', 'needs_reauth', 'disabled'] as const;
export type Health = (typeof HEALTHS)[number];

export function healthOf(row: { status: IntegrationStatus; consecutiveFailures: number }): Health {
  switch (row.status) {
    case 'active':
      return row.consecutiveFailures > 0 ? 'failing' : 'healthy';
    case 'degraded':
      return 'failing';
    case 'pending_auth':
    case 'needs_reauth':
    case 'disabled':
      return row.status;
  }
}

/** What the API shows of an integration: never settings values, never secrets. */
export interface IntegrationView {
  id: string;
  tenantId: string;
  pluginId: string;
  label: string;
  externalAccountId: string | null;
  /** The company it issues for, or (plugins of the company's documents) works for; null: the default. */
  companyId: string | null;
  status: IntegrationStatus;
  statusReason: string | null;
  health: Health;
  consecutiveFailures: number;
  syncErrorCount: number;
  counters: { consecutiveFailures: number; syncErrorCount: number };
  lastSyncAt: string | null;
  lastSuccessAt: string | null;
  lastSyncError: string | null;
  createdAt: string;
  updatedAt: string;
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export function toIntegrationView(row: IIntegration): IntegrationView {
  return {
    id: row.id,
    tenantId: row.tenantId,
    pluginId: row.pluginId,
    label: row.label,
    externalAccountId: row.externalAccountId ?? null,
    companyId: row.companyId ?? null,
    status: row.status,
    statusReason: row.statusReason ?? null,
    health: healthOf(row),
    consecutiveFailures: row.consecutiveFailures,
    syncErrorCount: row.syncErrorCount,
    counters: { consecutiveFailures: row.consecutiveFailures, syncErrorCount: row.syncErrorCount },
    lastSyncAt: iso(row.lastSyncAt),
    lastSuccessAt: iso(row.lastSuccessAt),
    lastSyncError: row.lastSyncError ?? null,
    createdAt: iso(row.createdAt) ?? '',
    updatedAt: iso(row.updatedAt) ?? '',
  };
}
