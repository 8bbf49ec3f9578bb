import type { IIntegration, IntegrationStatus } from '../db/entities/integration.entity.ts';
import { jobHealth, jobReason, type JobHealth, type JobPolicy, type JobState } from './job-health.ts';

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

/** The health in a sentence: the worst job and why (derived by sync/integration-health.ts). */
export function healthReasonOf(row: {
  status: IntegrationStatus;
  statusReason?: string | null | undefined;
  lastSyncError?: string | null | undefined;
  consecutiveFailures: number;
  disconnectedAt?: Date | null | undefined;
}): string {
  // Its stored reason already says what happened and how to resume it.
  if (row.disconnectedAt)
    return row.statusReason ?? 'Disconnected: connect the same account again to resume it.';
  switch (row.status) {
    case 'pending_auth':
      return 'Not connected yet: finish connecting the account.';
    case 'needs_reauth':
      return row.statusReason ?? 'The service no longer accepts this connection: connect the account again.';
    case 'disabled':
      // The stored reason says why (a person, or a job's failures); what to do is the same.
      return `${row.statusReason ?? 'Switched off.'} Nothing runs until it is enabled again: fix the cause, then enable it.`;
    case 'degraded':
      return row.statusReason ?? row.lastSyncError ?? 'A job failed and is tried again.';
    case 'active':
      return row.consecutiveFailures > 0
        ? (row.lastSyncError ?? 'A job failed and is tried again.')
        : 'Every job works.';
  }
}

/** One job of an integration as the console shows it (issue 13: health per job). */
export interface JobHealthView {
  jobId: string;
  title: string;
  health: JobHealth;
  /** Failed runs in a row, each counted once with its retries. */
  consecutiveFailures: number;
  failedRuns: number;
  /** After this many failed runs in a row the integration is switched off. */
  disableAfter: number;
  lastRunAt: string | null;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastError: string | null;
  reason: string;
}

/** Every job the manifest declares, with its health (a job that never ran is `not_run`). */
export function toJobHealthViews(
  policies: readonly JobPolicy[],
  states: readonly JobState[],
): JobHealthView[] {
  return policies.map((policy) => {
    const state = states.find((s) => s.jobId === policy.jobId);
    return {
      jobId: policy.jobId,
      title: policy.title,
      health: jobHealth(state),
      consecutiveFailures: state?.consecutiveFailures ?? 0,
      failedRuns: state?.failedRuns ?? 0,
      disableAfter: policy.disableAfter,
      lastRunAt: iso(state?.lastRunAt),
      lastSuccessAt: iso(state?.lastSuccessAt),
      lastFailureAt: iso(state?.lastFailureAt),
      lastError: state?.lastError ?? null,
      reason: jobReason(state, policy),
    };
  });
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
  /** Why, in plain words: the worst job and what happens next. */
  healthReason: string;
  consecutiveFailures: number;
  syncErrorCount: number;
  counters: { consecutiveFailures: number; syncErrorCount: number };
  lastSyncAt: string | null;
  lastSuccessAt: string | null;
  lastSyncError: string | null;
  /** Disconnected by a person (secrets erased, history kept): resumed by connecting it again. */
  disconnected: boolean;
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
    healthReason: healthReasonOf(row),
    consecutiveFailures: row.consecutiveFailures,
    syncErrorCount: row.syncErrorCount,
    counters: { consecutiveFailures: row.consecutiveFailures, syncErrorCount: row.syncErrorCount },
    lastSyncAt: iso(row.lastSyncAt),
    lastSuccessAt: iso(row.lastSuccessAt),
    lastSyncError: row.lastSyncError ?? null,
    disconnected: Boolean(row.disconnectedAt),
    createdAt: iso(row.createdAt) ?? '',
    updatedAt: iso(row.updatedAt) ?? '',
  };
}
