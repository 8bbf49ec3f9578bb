import type { Principal } from '../auth/principal.ts';
import { Credential } from '../db/entities/credential.entity.ts';
import { Invoice } from '../db/entities/invoice.entity.ts';
import { Integration, type IntegrationStatus } from '../db/entities/integration.entity.ts';
import { SyncRun } from '../db/entities/sync-run.entity.ts';
import { HostError } from '../errors.ts';
import { findAccessibleIntegration, requireTenantAdmin } from './access.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { availablePlugin } from './plugin-lookup.ts';
import type { IntegrationDeps } from './ports.ts';
import { syncSchedule, syncTenantSchedules } from './schedule.ts';
import { mayRunJobs } from './enablement.ts';
import { toIntegrationView, type IntegrationView } from './integration.view.ts';

export interface IntegrationStatusView {
  id: string;
  status: IntegrationStatus;
  statusReason: string | null;
  health: IntegrationView['health'];
  lastSyncAt: string | null;
  lastSuccessAt: string | null;
  lastSyncError: string | null;
  syncErrorCount: number;
  consecutiveFailures: number;
  lastRun: { id: string; jobId: string; status: string; startedAt: string; finishedAt: string | null } | null;
  /** The manifest's webhooks with this integration's URLs (e.g. the URL a seller gives the marketplace). */
  webhooks: { id: string; description: string | null; url: string }[];
}

export interface IntegrationLifecycle {
  status(input: { principal: Principal; id: string }): Promise<IntegrationStatusView>;
  deactivate(input: { principal: Principal; id: string; reason?: string }): Promise<IntegrationView>;
  /** Back to active with the failure counter reset (after auto-disable or a manual deactivate). */
  enable(input: { principal: Principal; id: string }): Promise<IntegrationView>;
  remove(input: { principal: Principal; id: string }): Promise<{ success: true }>;
  /**
   * A status change decided by the host itself (sync engine: degraded/disabled after failures;
   * OAuth broker: active/needs_reauth). No principal: the caller already owns the integration.
   */
  transition(input: {
    integrationId: string;
    status: IntegrationStatus;
    reason?: string | null;
  }): Promise<void>;
  /** A connector switched on or off for a tenant: its integrations' jobs follow. */
  pluginEnablementChanged(input: { tenantId: string; pluginId: string; enabled: boolean }): Promise<void>;
  /** A tenant disabled or enabled again: its integrations' jobs stop or come back. */
  tenantStateChanged(input: { tenantId: string }): Promise<void>;
}

export function createLifecycle(deps: IntegrationDeps): IntegrationLifecycle {
  const fork = () => deps.db.orm.em.fork();

  async function setStatus(input: {
    principal: Principal;
    id: string;
    status: IntegrationStatus;
    reason: string | null;
    action: string;
  }): Promise<IntegrationView> {
    const em = fork();
    const row = await findAccessibleIntegration(em, input.principal, input.id);
    row.status = input.status;
    row.statusReason = input.reason;
    if (input.status === 'active') row.consecutiveFailures = 0;
    recordAudit(em, {
      tenantId: row.tenantId,
      actorUserId: input.principal.userId,
      action: input.action,
      targetType: 'integration',
      targetId: row.id,
      details: { status: input.status },
    });
    await em.flush();
    const enabled = await mayRunJobs(fork(), row.tenantId, row.pluginId);
    await syncSchedule(deps, { row, plugin: deps.plugins.get(row.pluginId), enabled });
    return toIntegrationView(row);
  }

  return {
    async status({ principal, id }) {
      const em = fork();
      const row = await findAccessibleIntegration(em, principal, id);
      const last = await em.findOne(SyncRun, { integrationId: row.id }, { orderBy: { startedAt: 'desc' } });
      const view = toIntegrationView(row);
      return {
        id: row.id,
        status: view.status,
        statusReason: view.statusReason,
        health: view.health,
        lastSyncAt: view.lastSyncAt,
        lastSuccessAt: view.lastSuccessAt,
        lastSyncError: view.lastSyncError,
        syncErrorCount: view.syncErrorCount,
        consecutiveFailures: view.consecutiveFailures,
        lastRun: last
          ? {
              id: last.id,
              jobId: last.jobId,
              status: last.status,
              startedAt: new Date(last.startedAt).toISOString(),
              finishedAt: last.finishedAt ? new Date(last.finishedAt).toISOString() : null,
            }
          : null,
        webhooks: (deps.plugins.get(row.pluginId)?.manifest.webhooks ?? []).flatMap((w) => {
          const url = deps.sync.webhookUrl(row.id, w.id);
          return url ? [{ id: w.id, description: w.description ?? null, url }] : [];
        }),
      };
    },

    deactivate({ principal, id, reason }) {
      return setStatus({
        principal,
        id,
        status: 'disabled',
        reason: reason ?? `Deactivated by ${principal.email}.`,
        action: 'integration.deactivated',
      });
    },

    async enable({ principal, id }) {
      const row = await findAccessibleIntegration(fork(), principal, id);
      // A connector the tenant lost cannot be switched back on from the integration.
      await availablePlugin(deps.plugins, { em: fork(), tenantId: row.tenantId, pluginId: row.pluginId });
      return setStatus({ principal, id, status: 'active', reason: null, action: 'integration.enabled' });
    },

    async remove({ principal, id }) {
      requireTenantAdmin(principal);
      const em = fork();
      const row = await findAccessibleIntegration(em, principal, id);
      // Its ledger is what stops an order being invoiced twice; removing it would let a
      // reconnected account invoice every old order again (SPEC: never issue an invoice twice).
      if ((await em.count(Invoice, { integrationId: row.id })) > 0) {
        throw new HostError(
          'CONFLICT',
          'This account has issued invoices, so it cannot be removed (its record of invoiced orders would go with it); deactivate it instead.',
        );
      }
      await em.transactional(async (tx) => {
        await tx.nativeDelete(Credential, { integrationId: row.id, tenantId: row.tenantId });
        await tx.nativeDelete(Integration, { id: row.id });
        recordAudit(tx, {
          tenantId: row.tenantId,
          actorUserId: principal.userId,
          action: 'integration.removed',
          targetType: 'integration',
          targetId: row.id,
          details: { pluginId: row.pluginId },
        });
      });
      await deps.scheduler.unscheduleIntegration(row.id);
      return { success: true };
    },

    async transition({ integrationId, status, reason }) {
      const em = fork();
      const row = await em.findOne(Integration, { id: integrationId });
      if (!row) throw new HostError('NOT_FOUND', `Integration ${integrationId} no longer exists.`);
      row.status = status;
      row.statusReason = reason ?? null;
      if (status === 'active') row.consecutiveFailures = 0;
      recordAudit(em, {
        tenantId: row.tenantId,
        actorUserId: null,
        action: 'integration.status_changed',
        targetType: 'integration',
        targetId: row.id,
        details: { status },
      });
      await em.flush();
      const enabled = await mayRunJobs(fork(), row.tenantId, row.pluginId);
      await syncSchedule(deps, { row, plugin: deps.plugins.get(row.pluginId), enabled });
    },

    async pluginEnablementChanged({ tenantId, pluginId, enabled }) {
      const rows = await fork().find(Integration, { tenantId, pluginId });
      const plugin = deps.plugins.get(pluginId);
      // Switched on for a disabled tenant: still nothing runs until the tenant is enabled.
      const runs = enabled && (await mayRunJobs(fork(), tenantId, pluginId));
      for (const row of rows) await syncSchedule(deps, { row, plugin, enabled: runs });
    },

    async tenantStateChanged({ tenantId }) {
      await syncTenantSchedules(deps, tenantId);
    },
  };
}
