import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type {
  PluginTest,
  PluginTestOptions,
  TestDocument,
  TestInvoice,
  TestRun,
} from '@mch/plugin-sdk/testing';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startRatesSandbox } from '../invoicing/rates-sandbox.ts';
import { SAMPLE_COMPANIES } from '../invoicing/seller-identity.ts';
import { createApiToken, createTenant, createUser } from '../tenancy/index.ts';
import { validatePluginFolder } from './folder-validation.ts';
import { sandboxConfig } from './sandbox-env.ts';
import { startSandboxAt } from './sandbox-runner.ts';
import { createThrowawayHost } from './throwaway-host.ts';
import { demoSettings } from '../app/demo-mode.ts';

const FINISHED = new Set(['succeeded', 'failed', 'skipped']);

/**
 * The SDK's testing kit (`@mch/plugin-sdk/testing`, issue 14): a real host serving HTTP on a
 * throwaway database with only the plugin under test loaded, the plugin's own sandbox started
 * and wired in as demo mode wires it, and a seller — a tenant with a complete company of the
 * sandbox's seller country and a tenant admin with an API token. The test drives it through the
 * public REST API (SPEC "Interfaces"), as a seller's script would; nothing of the host's inside
 * leaks into the plugin's tests.
 */
export async function startPluginTest<S extends RunningSandbox>(
  options: PluginTestOptions,
): Promise<PluginTest<S>> {
  const dir = resolve(options.dir);
  const valid = await validatePluginFolder({ dir, hostVersion: options.hostVersion ?? '0.1.0' });
  if (!valid.ok) throw new Error(`The plugin in ${dir} is not valid:\n${valid.lines.join('\n')}`);
  const work = await mkdtemp(join(tmpdir(), 'mch-plugin-test-'));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(work, { recursive: true, force: true })];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const registryPath = join(work, 'plugin.manifest.json');
    const link = basename(dir);
    await symlink(dir, join(work, link), 'dir');
    await writeFile(registryPath, JSON.stringify({ plugins: [link] }));
    // The central banks' rates of foreign-currency invoices come from a local NBP and BNR, as in
    // demo mode: a plugin's tests never reach a real service.
    if (!process.env.NBP_API_URL || !process.env.BNR_RATES_URL) {
      const rates = await startRatesSandbox();
      const unset = (['NBP_API_URL', 'BNR_RATES_URL'] as const).filter((name) => !process.env[name]);
      for (const name of unset) process.env[name] = rates.url;
      cleanups.push(async () => {
        for (const name of unset) if (process.env[name] === rates.url) delete process.env[name];
        await rates.close();
      });
    }
    const { app, configOverrides } = await createThrowawayHost({
      work,
      registryPath,
      databaseUrl: options.databaseUrl,
      // Due jobs are picked up at once: a test waits for its runs, not for the next poll.
      schedulerPollMs: options.schedulerPollMs ?? 100,
    });
    const plugin = app.services.plugins.plugins[0];
    if (!plugin) {
      await app.stop();
      const problems = [
        ...app.services.plugins.registryIssues.map((issue) => JSON.stringify(issue)),
        ...app.services.plugins.refused.flatMap((r) => r.issues.map((issue) => JSON.stringify(issue))),
      ];
      throw new Error(`The host refused the plugin in ${dir}:\n${problems.join('\n')}`);
    }
    const sandbox = (await startSandboxAt({
      entryPath: resolve(plugin.dir, plugin.manifest.sandbox.entry),
      sandbox: options.sandbox ?? {},
    })) as S;
    cleanups.push(() => sandbox.close());
    configOverrides.set(plugin.id, sandboxConfig({ manifest: plugin.manifest, sandbox }));
    const started = await app.start();
    cleanups.push(() => app.stop());
    const url = started.url;
    if (!url) throw new Error('The host started without serving HTTP; the testing kit needs its API.');

    const em = () => app.services.db.orm.em.fork();
    const country = options.sellerCountry ?? plugin.manifest.sandbox.sellerCountry ?? 'PL';
    const company = Object.values(SAMPLE_COMPANIES).find((c) => c.country === country);
    if (!company) throw new Error(`No sample company for ${country}; use one of PL, RO, HU, BG.`);
    const tenant = await createTenant({ em: em(), name: 'Plugin test shop', company });
    const email = 'seller@plugin-test.local';
    await createUser({
      em: em(),
      tenant: tenant.id,
      email,
      role: 'tenant_admin',
      password: 'plugin-test-password',
    });
    const { token } = await createApiToken({ em: em(), email, name: 'plugin test' });
    const api = async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
      const response = await fetch(`${url}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          authorization: `Bearer ${token}`,
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
      const text = await response.text();
      if (!response.ok)
        throw new Error(`${init.method ?? 'GET'} ${path} answered ${response.status}: ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    };
    const runOf = async (runId: string): Promise<TestRun | undefined> => {
      const { rows } = await app.services.db.pool.query<TestRun>(
        `select id, job_id as "jobId", status, error, counts from sync_runs where id = $1`,
        [runId],
      );
      return rows[0];
    };

    return {
      url,
      token,
      sandbox,
      tenantId: tenant.id,
      api,
      async connect(settings) {
        const given = settings ?? demoSettings(plugin, sandbox.credentials, sandbox);
        if (!given)
          throw new Error(
            `The sandbox's credentials do not name ${plugin.id}'s settings; pass the settings to connect(), or declare sandbox.settings in the manifest.`,
          );
        const { id } = await api<{ id: string }>(`/api/v1/${plugin.id}/integrations`, {
          method: 'POST',
          body: { settings: given },
        });
        return id;
      },
      async waitForRuns(integrationId, timeoutMs = 120_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const { rows } = await app.services.db.pool.query<TestRun>(
            `select id, job_id as "jobId", status, error, counts from sync_runs where integration_id = $1 order by started_at`,
            [integrationId],
          );
          if (rows.length > 0 && rows.every((r) => FINISHED.has(r.status))) return rows;
          if (Date.now() > deadline)
            throw new Error(`runs of ${integrationId} still going after ${timeoutMs} ms`);
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      async sync(integrationId, jobId, timeoutMs = 120_000) {
        const { runId } = await api<{ runId: string }>(`/api/v1/${plugin.id}/sync/${integrationId}`, {
          method: 'POST',
          body: jobId ? { jobId } : {},
        });
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const run = await runOf(runId);
          if (run && FINISHED.has(run.status)) return run;
          if (Date.now() > deadline)
            throw new Error(`run ${runId} still ${run?.status ?? 'queued'} after ${timeoutMs} ms`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      async invoices(integrationId) {
        const all: TestInvoice[] = [];
        for (let offset = 0; ; offset += 100) {
          const page = await api<{ invoices: TestInvoice[]; total: number }>(
            `/api/v1/invoices?integrationId=${integrationId}&limit=100&offset=${offset}`,
          );
          all.push(...page.invoices);
          if (page.invoices.length < 100 || all.length >= page.total) return all;
        }
      },
      document: (invoiceId) => api<TestDocument>(`/api/v1/invoices/${invoiceId}`),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
