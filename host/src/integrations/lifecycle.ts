import type { EntityManager } from '@mikro-orm/postgresql';
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
import {
  toIntegrationView,
  toJobHealthViews,
  type IntegrationView,
  type JobHealthView,
} from './integration.view.ts';
import { JOB_COLUMNS, jobPolicies, toJobState, type JobRow } from './job-health.ts';

export interface IntegrationStatusView {
  id: string;
  status: IntegrationStatus;
  statusReason: string | null;
  health: IntegrationView['health'];
  healthReason: string;
  /** Disconnected by a person: secrets erased, history kept, resumed by connecting it again. */
  disconnected: boolean;
  /** Each job's own health: failures in a row, last error, last success (issue 13). */
  jobs: JobHealthView[];
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
  /**
   * Disconnects the account: deleted outright when it issued nothing; else its secrets erased and
   * its history kept (`kept: true`), to be resumed by connecting the same account again.
   */
  remove(input: { principal: Principal; id: string }): Promise<{ success: true; kept: boolean }>;
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

/**
 * The jobs' health follows a status set by a person or the host: enabled again, every job starts
 * from a clean count (what auto-disable counted is over); switched off, runs waiting for a retry
 * end, as the scheduler drops their retries.
 */
async function jobsFollowStatus(
  em: EntityManager,
  integrationId: string,
  status: IntegrationStatus,
): Promise<void> {
  if (status === 'active') {
    await em.execute(
      'update integration_jobs set consecutive_failures = 0, retry_pending = false where integration_id = ?',
      [integrationId],
    );
  } else if (status === 'disabled') {
    await em.execute('update integration_jobs set retry_pending = false where integration_id = ?', [
      integrationId,
    ]);
    await em.execute(
      `update sync_runs set status = 'failed', next_attempt_at = null, finished_at = clock_timestamp(),
              error = coalesce(error || ' ', '') || 'Not retried: the integration was switched off.'
        where integration_id = ? and status = 'retrying'`,
      [integrationId],
    );
  }
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
    await jobsFollowStatus(em, row.id, input.status);
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
      const jobRows = await em.execute<JobRow[]>(
        `select ${JOB_COLUMNS} from integration_jobs where integration_id = ?`,
        [row.id],
      );
      const plugin = deps.plugins.get(row.pluginId);
      return {
        id: row.id,
        status: view.status,
        statusReason: view.statusReason,
        health: view.health,
        healthReason: view.healthReason,
        disconnected: view.disconnected,
        jobs: toJobHealthViews(jobPolicies(plugin?.manifest.jobs ?? []), jobRows.map(toJobState)),
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
        webhooks: (plugin?.manifest.webhooks ?? []).flatMap((w) => {
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
      const plugin = await availablePlugin(deps.plugins, {
        em: fork(),
        tenantId: row.tenantId,
        pluginId: row.pluginId,
      });
      if (row.disconnectedAt)
        throw new HostError(
          'BAD_REQUEST',
          plugin.manifest.auth.type === 'oauth2'
            ? `This account was disconnected and its sign-in erased: connect ${plugin.manifest.name} again and sign in as the same account; its invoices and history are kept.`
            : `This account was disconnected and its passwords erased: connect ${plugin.manifest.name} again with the same account's credentials; its invoices and history are kept.`,
        );
      return setStatus({ principal, id, status: 'active', reason: null, action: 'integration.enabled' });
    },

    async remove({ principal, id }) {
      requireTenantAdmin(principal);
      const em = fork();
      const row = await findAccessibleIntegration(em, principal, id);
      // Its ledger is what stops an order being invoiced twice: an account that issued invoices
      // is disconnected, not deleted — secrets erased, schedules stopped, history kept — and
      // connecting the same account again resumes it (integration-create.ts).
      if ((await em.count(Invoice, { integrationId: row.id })) > 0) {
        const when = new Date();
        await em.transactional(async (tx) => {
          await tx.nativeDelete(Credential, { integrationId: row.id, tenantId: row.tenantId });
          await tx.nativeUpdate(
            Integration,
            { id: row.id },
            {
              status: 'disabled',
              statusReason: `Disconnected by ${principal.email} on ${when.toISOString().slice(0, 10)}: its passwords and sign-in are erased; its invoices and its record of invoiced orders are kept. Connect the same account again to resume it.`,
              disconnectedAt: when,
            },
          );
          await jobsFollowStatus(tx, row.id, 'disabled');
          recordAudit(tx, {
            tenantId: row.tenantId,
            actorUserId: principal.userId,
            action: 'integration.disconnected',
            targetType: 'integration',
            targetId: row.id,
            details: { pluginId: row.pluginId },
          });
        });
        await deps.scheduler.unscheduleIntegration(row.id);
        return { success: true, kept: true };
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
      return { success: true, kept: false };
    },

    async transition({ integrationId, status, reason }) {
      const em = fork();
      const row = await em.findOne(Integration, { id: integrationId });
      if (!row) throw new HostError('NOT_FOUND', `Integration ${integrationId} no longer exists.`);
      row.status = status;
      row.statusReason = reason ?? null;
      if (status === 'active') row.consecutiveFailures = 0;
      await jobsFollowStatus(em, row.id, status);
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
