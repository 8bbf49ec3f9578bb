import {
  isPluginError,
  PluginErrorCode,
  type JobInput,
  type JobOutput,
  type PluginContext,
} from '@mch/plugin-sdk';
import { renderTemplate } from '@mch/schemas';
import { switchedOffFlow } from '../plugins/flow-switch.ts';
import type { LoadedPlugin } from '../plugins/types.ts';
import { NonRetryableError } from '../errors.ts';
import type { RunContext, RunFinished, Scheduler } from '../scheduler/types.ts';
import { jobPolicies } from '../integrations/job-health.ts';
import { IntegrationHealth } from './integration-health.ts';
import { buildPluginContext, type ContextDeps, type IntegrationRef } from './plugin-context.ts';
import { resolvePluginConfig } from './plugin-config.ts';
import { runPull } from './pull.ts';
import { RunRecords } from './run-records.ts';
import { RunTally } from './run-tally.ts';
import type { RequestAuthorizer } from '../runtime/plugin-http.ts';

/** The scheduler kind that runs every plugin job. */
export const PLUGIN_JOB_KIND = 'plugin-job';
const RUNNABLE = new Set(['active', 'degraded']);
const PROGRESS_WRITE_MS = 500;

interface IntegrationRow {
  id: string;
  tenant_id: string;
  plugin_id: string;
  status: string;
  settings: Record<string, unknown>;
  external_account_id: string | null;
  label: string | null;
  company_id: string | null;
}

/** An integration as the engine needs it: what a hook's context is built from, plus its state. */
export interface IntegrationRecord {
  ref: IntegrationRef;
  pluginId: string;
  status: string;
}

export interface SyncEngineOptions extends Omit<ContextDeps, 'onRevoked'> {
  scheduler: Scheduler;
  getPlugin(id: string): LoadedPlugin | undefined;
  /** Process environment the plugins' declared config variables are read from. */
  env: Readonly<Record<string, string | undefined>>;
  publicUrl: string;
  /** Per-plugin config overrides (demo mode points plugins at their sandboxes). */
  configOverrides: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

/**
 * Runs manifest jobs for integrations: loads the integration and its plugin, records the run,
 * builds the plugin context, calls the hook, and keeps the integration's health (failure policy,
 * "needs re-auth"). Plugin-agnostic: everything specific comes from the manifest and the hooks.
 */
export class SyncEngine {
  readonly #o: SyncEngineOptions & ContextDeps;
  readonly #runs: RunRecords;
  readonly #health: IntegrationHealth;
  /** Sync-run row of each run in flight, keyed by integration + job, for onRunFinished. */
  readonly #current = new Map<string, { runId: string; tally: RunTally }>();

  constructor(options: SyncEngineOptions) {
    const health = new IntegrationHealth(options.db.pool);
    this.#o = { ...options, onRevoked: (integrationId, reason) => health.needsReauth(integrationId, reason) };
    this.#runs = new RunRecords(options.db.pool);
    this.#health = health;
  }

  get runs(): RunRecords {
    return this.#runs;
  }

  configFor(plugin: LoadedPlugin): Record<string, string | undefined> {
    return resolvePluginConfig({
      manifest: plugin.manifest,
      env: this.#o.env,
      overrides: this.#o.configOverrides.get(plugin.id),
      publicUrl: this.#o.publicUrl,
    });
  }

  /** Whether the tenant was disabled (its accounts then do no marketplace work, issue 11). */
  async tenantDisabled(tenantId: string): Promise<boolean> {
    const { rows } = await this.#o.db.pool.query<{ disabled_at: Date | null }>(
      'select disabled_at from tenants where id = $1',
      [tenantId],
    );
    return !rows[0] || rows[0].disabled_at !== null;
  }

  /** Whether an admin left this connector on for the tenant (on unless switched off). */
  async pluginEnabled(tenantId: string, pluginId: string): Promise<boolean> {
    const { rows } = await this.#o.db.pool.query<{ enabled: boolean }>(
      'select enabled from plugin_enablements where tenant_id = $1 and plugin_id = $2',
      [tenantId, pluginId],
    );
    return rows[0]?.enabled ?? true;
  }

  /** Registers the job kind with the scheduler. */
  register(): void {
    this.#o.scheduler.define(PLUGIN_JOB_KIND, (ctx) => this.#run(ctx));
  }

  /**
   * "Sync now": queues a run row the console can follow, and asks the scheduler to run it.
   * `follow_up` is a run the host starts itself after another one (`follows` says after what,
   * in words: "invoices were issued", a job's title), never shown as started by hand.
   */
  async trigger(input: {
    tenantId: string;
    integrationId: string;
    jobId: string;
    trigger: 'manual' | 'webhook' | 'follow_up';
    follows?: string;
  }): Promise<{ runId: string }> {
    const runId = await this.#runs.queue(input);
    await this.#o.scheduler.runNow({
      integrationId: input.integrationId,
      jobId: input.jobId,
      trigger: input.trigger,
      kind: PLUGIN_JOB_KIND,
    });
    return { runId };
  }

  /** Calls a hook outside a scheduled run (account lookup, test connection, webhook). */
  async callHook<Output>(input: {
    plugin: LoadedPlugin;
    integration: IntegrationRef;
    hook: string;
    input?: unknown;
    authorizer?: RequestAuthorizer;
    signal?: AbortSignal;
  }): Promise<Output> {
    const hook = input.plugin.definition.hooks[input.hook];
    if (!hook) throw new Error(`Plugin ${input.plugin.id} has no hook '${input.hook}'.`);
    return await (hook as (ctx: PluginContext, input: unknown) => Promise<Output> | Output)(
      this.contextFor(input),
      input.input ?? {},
    );
  }

  /** A plugin context outside any run (a hook called on demand, the manifest's connection test). */
  contextFor(input: {
    plugin: LoadedPlugin;
    integration: IntegrationRef;
    authorizer?: RequestAuthorizer;
    signal?: AbortSignal;
  }): PluginContext {
    return buildPluginContext({
      deps: this.#o,
      plugin: input.plugin,
      integration: input.integration,
      config: this.configFor(input.plugin),
      signal: input.signal ?? AbortSignal.timeout(60_000),
      tally: new RunTally(),
      ...(input.authorizer ? { authorizer: input.authorizer } : {}),
    });
  }

  /**
   * The scheduler's outcome callback: run history and health per job. A run that started no row
   * (skipped: integration, tenant or flow switched off) says nothing about the job's health.
   */
  async onRunFinished(outcome: RunFinished): Promise<void> {
    const key = `${outcome.integrationId}:${outcome.jobId}`;
    const current = this.#current.get(key);
    this.#current.delete(key);
    if (!current && outcome.ok) return;
    const message = outcome.error?.message ?? 'unknown error';
    if (current) {
      await this.#runs.finish({
        runId: current.runId,
        status: outcome.ok ? 'succeeded' : outcome.willRetry ? 'retrying' : 'failed',
        counts: current.tally.counts,
        skipped: current.tally.skipped(),
        error: outcome.ok ? undefined : message,
        nextAttemptAt: outcome.retryAt,
      });
    }
    const plugin = await this.#pluginOf(outcome.integrationId);
    const job = {
      integrationId: outcome.integrationId,
      jobId: outcome.jobId,
      policies: jobPolicies(plugin?.manifest.jobs ?? []),
    };
    if (outcome.ok) return this.#health.succeeded(job);
    if (outcome.willRetry) return this.#health.retrying({ ...job, error: message });
    // The account's authorization failed, not the job: the integration already says "needs
    // re-auth", and once it is reconnected the job has nothing held against it.
    if (isAuthFailure(outcome.error)) return this.#health.authFailed({ ...job, error: message });
    const disabled = await this.#health.failed({ ...job, error: message });
    if (disabled) {
      await this.#o.scheduler.unscheduleIntegration(outcome.integrationId);
      await this.#runs.abandonRetries({
        integrationId: outcome.integrationId,
        reason: 'Not retried: the integration was switched off.',
      });
      this.#o.logger.warn(
        { integrationId: outcome.integrationId, jobId: outcome.jobId },
        'integration disabled after consecutive failures of one job',
      );
    }
  }

  async #pluginOf(integrationId: string): Promise<LoadedPlugin | undefined> {
    const found = await this.findIntegration(integrationId);
    return found ? this.#o.getPlugin(found.pluginId) : undefined;
  }

  /** The integration (of `tenantId`, when given), or undefined. */
  async findIntegration(id: string, tenantId?: string): Promise<IntegrationRecord | undefined> {
    const { rows } = await this.#o.db.pool.query<IntegrationRow>(
      `select id, tenant_id, plugin_id, status, settings, external_account_id, label, company_id from integrations
        where id = $1 and ($2::uuid is null or tenant_id = $2::uuid)`,
      [id, tenantId ?? null],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      pluginId: row.plugin_id,
      status: row.status,
      ref: {
        id: row.id,
        tenantId: row.tenant_id,
        settings: row.settings,
        externalAccountId: row.external_account_id,
        label: row.label,
        companyId: row.company_id,
      },
    };
  }

  async #run(run: RunContext): Promise<void> {
    const found = await this.findIntegration(run.integrationId);
    if (!found) throw new NonRetryableError(`Integration ${run.integrationId} no longer exists.`);
    const row = found.ref;
    if (!RUNNABLE.has(found.status)) {
      this.#o.logger.info(
        { integrationId: row.id, status: found.status },
        'skipping a run: integration is not active',
      );
      return this.#skipped(run, 'Not retried: the integration is not active.');
    }
    const plugin = this.#o.getPlugin(found.pluginId);
    if (!plugin)
      throw new NonRetryableError(`Plugin '${found.pluginId}' is not loaded; see the plugin catalogue.`);
    // Disabled from another process (the CLI has no scheduler to take the jobs off): run nothing.
    if (await this.tenantDisabled(row.tenantId)) {
      this.#o.logger.info({ integrationId: row.id }, 'skipping a run: the tenant is disabled');
      return this.#skipped(run, 'Not retried: the organisation is disabled.');
    }
    if (!(await this.pluginEnabled(row.tenantId, plugin.id))) {
      this.#o.logger.info(
        { integrationId: row.id },
        'skipping a run: the connector is switched off for this tenant',
      );
      return this.#skipped(run, 'Not retried: the connector is switched off.');
    }
    const job = plugin.manifest.jobs.find((j) => j.id === run.jobId);
    if (!job) throw new NonRetryableError(`Plugin '${plugin.id}' has no job '${run.jobId}' any more.`);
    // Switched off after this run was queued (or asked for by another job or a webhook).
    const off = switchedOffFlow(plugin, job.flow, row.settings);
    if (off) {
      this.#o.logger.info(
        { integrationId: row.id, jobId: job.id, flow: off.id },
        'skipping a run: its flow is switched off in the settings',
      );
      return this.#skipped(run, `Not retried: '${off.title}' is switched off in the settings.`);
    }

    const runId = await this.#runs.start({
      tenantId: row.tenantId,
      integrationId: row.id,
      jobId: job.id,
      trigger: run.trigger,
      attempt: run.attempt,
    });
    const tally = new RunTally();
    this.#current.set(`${row.id}:${job.id}`, { runId, tally });
    let lastWrite = 0;
    const ctx = buildPluginContext({
      deps: this.#o,
      plugin,
      integration: row,
      config: this.configFor(plugin),
      signal: run.signal,
      tally,
      progress: (done, total) => {
        const now = Date.now();
        if (now - lastWrite < PROGRESS_WRITE_MS && done !== total) return;
        lastWrite = now;
        void this.#runs.progress(runId, done, total).catch(() => undefined);
      },
    });
    const { pull } = job;
    // A pull job is run by the host from its manifest description (issue 14); any other calls its hook.
    const hook = pull
      ? () =>
          runPull({
            ctx,
            jobId: job.id,
            pull,
            baseUrl: renderTemplate(plugin.manifest.api?.baseUrl ?? '', ctx),
            callHook: (name, input) =>
              (plugin.definition.hooks[name] as (ctx: PluginContext, input: unknown) => Promise<unknown>)(
                ctx,
                input,
              ),
          })
      : (plugin.definition.hooks[job.hook ?? ''] as (
          ctx: PluginContext,
          input: JobInput,
        ) => Promise<JobOutput | void>);
    const startedAt = new Date();
    try {
      const output = await hook(ctx, { jobId: job.id, runId, trigger: run.trigger, attempt: run.attempt });
      tally.addPluginSkips(output?.skipped ?? {});
      tally.addPluginCounts(output?.counts ?? {});
      for (const next of output?.trigger ?? []) {
        if (!plugin.manifest.jobs.some((j) => j.id === next.jobId)) {
          throw new NonRetryableError(`Job '${job.id}' asked to run unknown job '${next.jobId}'.`);
        }
        await this.trigger({
          tenantId: row.tenantId,
          integrationId: row.id,
          jobId: next.jobId,
          trigger: 'follow_up',
          follows: job.title ?? job.id,
        });
      }
      if (!plugin.manifest.documents) await this.#handOverIssued(row.id, startedAt);
    } catch (error) {
      throw await this.#classify(row.id, error);
    }
  }

  /** A run that did not start: a run of this job waiting for its retry ends here. */
  async #skipped(run: RunContext, reason: string): Promise<void> {
    if (run.trigger !== 'retry') return;
    await this.#runs.abandonRetries({ integrationId: run.integrationId, jobId: run.jobId, reason });
    const plugin = await this.#pluginOf(run.integrationId);
    await this.#health.retryDropped({
      integrationId: run.integrationId,
      jobId: run.jobId,
      policies: jobPolicies(plugin?.manifest.jobs ?? []),
    });
  }

  /**
   * "On issue": documents this run issued go to the plugins of their company's documents at once
   * (manifest `documents.job`), not at those plugins' next scheduled run.
   */
  async #handOverIssued(integrationId: string, since: Date): Promise<void> {
    const { rows } = await this.#o.db.pool.query<{ id: string; tenant_id: string; plugin_id: string }>(
      `select c.id, c.tenant_id, c.plugin_id from integrations c
        where c.status in ('active', 'degraded') and c.id <> $1
          and exists (select 1 from invoices i
                       where i.integration_id = $1 and i.created_at >= $2
                         and i.company_id = c.company_id and i.tenant_id = c.tenant_id)`,
      [integrationId, since],
    );
    for (const consumer of rows) {
      const documents = this.#o.getPlugin(consumer.plugin_id)?.manifest.documents;
      if (!documents) continue;
      await this.trigger({
        tenantId: consumer.tenant_id,
        integrationId: consumer.id,
        jobId: documents.job,
        trigger: 'follow_up',
        follows: 'invoices were issued',
      }).catch((error: unknown) =>
        this.#o.logger.warn({ err: error, integrationId: consumer.id }, 'documents not handed over at once'),
      );
    }
  }

  /** Auth and config failures are not retried: they need the seller, not time. */
  async #classify(integrationId: string, error: unknown): Promise<unknown> {
    if (!isPluginError(error)) return error;
    if (error.code === PluginErrorCode.AUTH) {
      await this.#health.needsReauth(integrationId, error.message);
      return new NonRetryableError(error.message, { cause: error });
    }
    if (error.code === PluginErrorCode.CONFIG || error.code === PluginErrorCode.INVALID_DEFINITION) {
      return new NonRetryableError(error.message, { cause: error });
    }
    return error;
  }
}

/** An error that is, or was caused by, the marketplace refusing the account's authorization. */
function isAuthFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++)
    if (isPluginError(e) && e.code === PluginErrorCode.AUTH) return true;
  return false;
}
