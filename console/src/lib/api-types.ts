// View models of the host's tRPC answers, as the console uses them (the API contract in the
// console issue). The client itself is typed by the host's AppRouter.
import type { Schema } from '@sjsf/form';

export interface PluginInfo {
  id: string;
  name: string;
  version: string;
  description?: string | null;
  auth: { type: string };
  settingsSchema: Schema;
  flows?: unknown;
  jobs?: { id: string; title?: string }[];
}

export type IntegrationStatus = 'pending_auth' | 'active' | 'degraded' | 'needs_reauth' | 'disabled' | string;

export interface Integration {
  id: string;
  pluginId: string;
  pluginName?: string | null;
  tenantId?: string;
  tenantName?: string | null;
  label?: string | null;
  status: IntegrationStatus;
  disabledReason?: string | null;
  lastSyncAt?: string | null;
  lastSyncError?: string | null;
  syncErrorCount?: number | null;
  consecutiveFailures?: number | null;
  needsReauth?: boolean | null;
  health?: string | null;
  createdAt?: string | null;
}

export interface SyncRun {
  id: string;
  runId?: string;
  jobId?: string | null;
  status: string;
  trigger?: string | null;
  startedAt?: string | null;
  finishedAt?: string | null;
  progressDone?: number | null;
  progressTotal?: number | null;
  counts?: Record<string, number> | null;
  error?: string | { message?: string } | null;
}

export interface Invoice {
  id: string;
  number: string;
  grossTotal: string | number;
  currency: string;
  status: string;
  externalOrderId?: string | null;
  createdAt: string;
  pdfUrl?: string | null;
}

export interface Metrics {
  total: number;
  active: number;
  inError: number;
  needsReauth: number;
  disabled: number;
  lastSyncAt: string | null;
  perDay: { day: string; runs: number; failures: number }[];
}

export interface Tenant {
  id: string;
  name: string;
  slug?: string;
  plugins?: { pluginId: string; enabled: boolean }[];
  enabledPlugins?: string[];
}

export function runError(run: SyncRun): string | null {
  if (!run.error) return null;
  return typeof run.error === 'string' ? run.error : (run.error.message ?? 'Failed');
}

export const FINISHED_RUN = new Set(['succeeded', 'success', 'completed', 'failed', 'error', 'cancelled', 'partial']);
