import type { TestConnectionOutput } from '@mch/plugin-sdk';
import type { Principal } from '../auth/principal.ts';
import { SyncRun, type ISyncRun } from '../db/entities/sync-run.entity.ts';
import { Tenant } from '../db/entities/tenant.entity.ts';
import { HostError, notFound } from '../errors.ts';
import { findAccessibleIntegration, isPlatformAdmin, UUID } from './access.ts';
import { switchedOffFlow } from '../plugins/flow-switch.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { assertConnectorOn, pluginOf } from './plugin-lookup.ts';
import type { IntegrationDeps } from './ports.ts';
import { isPluginEnabled } from './enablement.ts';

export interface SyncRunView {
  id: string;
  integrationId: string;
  jobId: string;
  trigger: string;
  status: string;
  /** Attempts so far: a run and its retries are one row. */
  attempt: number;
  /** Each failed attempt's error, oldest first. */
  attemptErrors: { attempt: number; at: string; error: string }[];
  /** While `retrying`: when the next attempt is due. */
  nextAttemptAt: string | null;
  counts: Record<string, number>;
  /** Skipped records by why, in words, most first: `{ "not paid yet": 40 }`. */
  skipped: Record<string, number>;
  /** A `follow_up` run: after what, in words ("invoices were issued"). */
  follows: string | null;
  progress: { done: number; total: number | null };
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export function toSyncRunView(run: ISyncRun): SyncRunView {
  return {
    id: run.id,
    integrationId: run.integrationId,
    jobId: run.jobId,
    trigger: run.trigger,
    status: run.status,
    attempt: run.attempt,
    attemptErrors: (run.attemptErrors ?? []).map((a) => ({ attempt: a.attempt, at: a.at, error: a.error })),
    nextAttemptAt: run.nextAttemptAt ? new Date(run.nextAttemptAt).toISOString() : null,
    counts: { ...run.counts },
    skipped: { ...(run.skipped ?? {}) },
    follows: run.follows ?? null,
    progress: { done: run.progressDone, total: run.progressTotal ?? null },
    error: run.error ?? null,
    startedAt: new Date(run.startedAt).toISOString(),
    finishedAt: run.finishedAt ? new Date(run.finishedAt).toISOString() : null,
  };
}

export interface SyncActions {
  syncNow(input: { principal: Principal; id: string; jobId?: string }): Promise<{ runId: string }>;
  runs(input: { principal: Principal; id: string; limit?: number }): Promise<SyncRunView[]>;
  run(input: { principal: Principal; runId: string }): Promise<SyncRunView>;
  testConnection(input: { principal: Principal; id: string }): Promise<TestConnectionOutput>;
}

/**
 * Syncs people (and scripts) may start per tenant: generous for a person clicking through
 * integrations, low enough that a loop or a batch of 100 calls cannot flood the scheduler and
 * the marketplace budget shared by every tenant (issue 11). Scheduled and webhook runs don't count.
 */
export const SYNC_QUOTA = { perWindow: 30, windowSeconds: 60 };

export function createSyncActions(deps: IntegrationDeps): SyncActions {
  const fork = () => deps.db.orm.em.fork();

  return {
    async syncNow({ principal, id, jobId }) {
      const em = fork();
      const row = await findAccessibleIntegration(em, principal, id);
      const plugin = pluginOf(deps, row);
      // Only a platform admin still reaches a disabled tenant's integrations (batch actions).
      if ((await em.findOne(Tenant, { id: row.tenantId }, { fields: ['disabledAt'] }))?.disabledAt) {
        throw new HostError(
          'PRECONDITION_FAILED',
          'This organisation is disabled, so its accounts do not sync; enable the organisation first.',
        );
      }
      if (!(await isPluginEnabled(em, row.tenantId, row.pluginId))) {
        throw new HostError(
          'PRECONDITION_FAILED',
          `The ${plugin.manifest.name} connector is switched off for this tenant.`,
        );
      }
      if (row.status === 'disabled') {
        throw new HostError('PRECONDITION_FAILED', 'The integration is disabled; enable it before syncing.');
      }
      if (row.status === 'pending_auth' || row.status === 'needs_reauth') {
        throw new HostError(
          'PRECONDITION_FAILED',
          'The integration is not authorized; connect the account again first.',
        );
      }
      const job = jobId ? plugin.manifest.jobs.find((j) => j.id === jobId) : plugin.manifest.jobs[0];
      if (!job) {
        if (!jobId)
          throw new HostError('PRECONDITION_FAILED', `${plugin.manifest.name} declares no sync job.`);
        throw new HostError('BAD_REQUEST', `'${jobId}' is not a job of ${plugin.manifest.name}.`, {
          issues: [
            {
              path: '/jobId',
              code: 'UNKNOWN_JOB',
              message: `must be one of ${plugin.manifest.jobs.map((j) => j.id).join(', ')}`,
            },
          ],
        });
      }
      const off = switchedOffFlow(plugin, job.flow, row.settings);
      if (off)
        throw new HostError(
          'PRECONDITION_FAILED',
          `'${off.title}' is switched off in this integration's settings, so '${job.title}' does not run; switch it on first.`,
        );
      await em.transactional(async (tx) => {
        // One tenant's sync requests are counted one at a time (the lock is released at commit),
        // so a batch of 100 parallel calls cannot all slip under the quota.
        await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [`sync-quota:${row.tenantId}`]);
        const [counted] = await tx.execute<{ n: number }[]>(
          `select count(*)::int as n from audit_log
            where tenant_id = ? and action = 'integration.sync_requested'
              and at > clock_timestamp() - make_interval(secs => ?)`,
          [row.tenantId, SYNC_QUOTA.windowSeconds],
        );
        if ((counted?.n ?? 0) >= SYNC_QUOTA.perWindow) {
          throw new HostError(
            'TOO_MANY_REQUESTS',
            `Too many syncs started: an organisation may start ${SYNC_QUOTA.perWindow} a minute, and the ones already started are running. Wait a minute before starting more.`,
          );
        }
        recordAudit(tx, {
          tenantId: row.tenantId,
          actorUserId: principal.userId,
          action: 'integration.sync_requested',
          targetType: 'integration',
          targetId: row.id,
          details: { jobId: job.id },
        });
      });
      return deps.sync.trigger({
        integrationId: row.id,
        tenantId: row.tenantId,
        jobId: job.id,
        trigger: 'manual',
        actorUserId: principal.userId,
      });
    },

    async runs({ principal, id, limit }) {
      const em = fork();
      const row = await findAccessibleIntegration(em, principal, id);
      const runs = await em.find(
        SyncRun,
        { integrationId: row.id, tenantId: row.tenantId },
        { orderBy: { startedAt: 'desc' }, limit: limit ?? 20 },
      );
      return runs.map(toSyncRunView);
    },

    async run({ principal, runId }) {
      if (!UUID.test(runId)) throw notFound('The sync run');
      const run = await fork().findOne(SyncRun, { id: runId });
      if (!run || (!isPlatformAdmin(principal) && run.tenantId !== principal.tenantId))
        throw notFound('The sync run');
      return toSyncRunView(run);
    },

    async testConnection({ principal, id }) {
      const em = fork();
      const row = await findAccessibleIntegration(em, principal, id);
      const plugin = pluginOf(deps, row);
      // A connection test calls the marketplace: never for a switched-off connector, whoever asks.
      await assertConnectorOn(deps, { em, row, plugin });
      const hooks = deps.sync;
      if (!plugin.manifest.auth.testHook) {
        throw new HostError('PRECONDITION_FAILED', `${plugin.manifest.name} offers no connection test.`);
      }
      return hooks.testConnection({ integrationId: row.id, tenantId: row.tenantId });
    },
  };
}
