import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startDemoMode, startDemoSandboxes } from '../app/demo-mode.ts';
import { validatePluginFolder } from './folder-validation.ts';
import type { HostApp } from '../app/host-app.ts';
import { createThrowawayHost } from './throwaway-host.ts';
import { parseRecording, RecordingError, recordSandbox, replayRecording } from './http-recording.ts';

/** A --replay file that cannot be used: said in one sentence, nothing started. */
class DryRunInputError extends Error {}

export interface DryRun {
  ok: boolean;
  /** What `plugin dry-run` prints. */
  lines: string[];
}

interface RunRow {
  job_id: string;
  status: string;
  error: string | null;
  counts: Record<string, number>;
}

interface InvoiceRow {
  number: string;
  buyer: string | null;
  total: string;
  currency: string;
  lines: number;
  external_id: string | null;
  type: 'invoice' | 'correction';
}

/** How long the plugin's first runs may take before the dry run gives up on them. */
const RUNS_TIMEOUT_MS = 120_000;

/**
 * `plugin dry-run DIR`: the plugin's jobs run once against its own sandbox, on a throwaway host —
 * an embedded database in a temporary folder, deleted afterwards — so nothing is written to any
 * real database or marketplace. The account is connected as demo mode connects it (the sandbox's
 * credentials, the manifest's `sandbox.settings`), and what the runs created is printed: each
 * job's outcome and counts, each invoice with its number, buyer, total and lines.
 */
export async function dryRun(options: {
  dir: string;
  hostVersion: string;
  /** Write the exchanges with the sandbox to this file (http-recording.ts). */
  record?: string | undefined;
  /** Answer the plugin from this recording instead of starting its sandbox. */
  replay?: string | undefined;
}): Promise<DryRun> {
  const valid = await validatePluginFolder(options);
  if (!valid.ok) return valid;
  const work = await mkdtemp(join(tmpdir(), 'mch-dry-run-'));
  try {
    const registryPath = join(work, 'plugin.manifest.json');
    // A registry names folders below it: the plugin is linked into the temporary folder.
    await symlink(options.dir, join(work, 'plugin'), 'dir');
    await writeFile(registryPath, JSON.stringify({ plugins: ['plugin'] }));
    const { app, configOverrides } = await createThrowawayHost({ work, registryPath });
    let demo: Awaited<ReturnType<typeof startDemoMode>> | undefined;
    let recorder: Awaited<ReturnType<typeof recordSandbox>> | undefined;
    let replay: Awaited<ReturnType<typeof replayRecording>> | undefined;
    try {
      if (options.replay) {
        const text = await readFile(options.replay, 'utf8').catch(() => {
          throw new DryRunInputError(
            `No recording at ${options.replay}; make one with plugin dry-run DIR --record FILE.`,
          );
        });
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new DryRunInputError(
            `${options.replay} is not JSON; a recording is the JSON file --record writes.`,
          );
        }
        replay = await replayRecording(parseRecording(parsed, options.replay));
      }
      const { url } = await app.start();
      const around = replay
        ? async () => replay!.sandbox
        : options.record
          ? async (_plugin: unknown, start: () => Promise<RunningSandbox>) => {
              const real = await start();
              recorder = await recordSandbox(real);
              return { ...recorder.sandbox, close: () => real.close() };
            }
          : undefined;
      const sandboxes = await startDemoSandboxes({
        services: app.services,
        configOverrides,
        publicUrl: url!,
        ...(around ? { around } : {}),
      });
      demo = await startDemoMode({ services: app.services, configOverrides, publicUrl: url!, sandboxes });
      const result = await report(
        app.services.db.pool,
        demo.sandboxes.map((s) => s.pluginId)[0] ?? '',
        options.replay ? `the recording ${options.replay}` : 'its sandbox',
      );
      if (recorder && options.record) {
        const recording = recorder.recording();
        await writeFile(options.record, `${JSON.stringify(recording, null, 2)}\n`);
        result.lines.push(
          `  recorded ${recording.exchanges.length} exchange(s) in ${options.record}: replay them with --replay ${options.record}`,
        );
      }
      const missed = replay?.unmatched() ?? [];
      if (missed.length > 0) {
        result.lines.push(`  ${missed.length} request(s) had no recorded answer (the plugin got a 404):`);
        for (const request of [...new Set(missed)]) result.lines.push(`    ${request}`);
      }
      return result;
    } catch (error) {
      if (error instanceof DryRunInputError || error instanceof RecordingError)
        return { ok: false, lines: [error.message] };
      throw error;
    } finally {
      await demo?.stop();
      await app.stop();
      await recorder?.close();
      await replay?.close();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

type Pool = HostApp['services']['db']['pool'];

async function report(pool: Pool, pluginId: string, against: string): Promise<DryRun> {
  const { rows: integrations } = await pool.query<{ id: string; label: string }>(
    `select id, label from integrations where plugin_id = $1`,
    [pluginId],
  );
  const integration = integrations[0];
  if (!integration)
    return {
      ok: false,
      lines: [
        `dry run: ${pluginId} could not be connected to its sandbox. Name the settings its sandbox fills in the manifest's sandbox.settings (e.g. { "apiKey": "{credentials.apiKey}" }), or name the sandbox's credentials like the settings.`,
      ],
    };
  // The runs connecting started, each to its end (retries included).
  let runs: RunRow[] = [];
  for (const deadline = Date.now() + RUNS_TIMEOUT_MS; Date.now() < deadline;) {
    ({ rows: runs } = await pool.query<RunRow>(
      `select job_id, status, error, counts from sync_runs where integration_id = $1 order by started_at`,
      [integration.id],
    ));
    if (runs.length > 0 && runs.every((r) => ['succeeded', 'failed', 'skipped'].includes(r.status))) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const { rows: invoices } = await pool.query<InvoiceRow>(
    `select i.number, i.buyer ->> 'name' as buyer, i.gross_total::text as total, i.currency,
            jsonb_array_length(coalesce(i.document -> 'lines', '[]'::jsonb)) as lines,
            i.external_order_id as external_id, i.type
       from invoices i where i.integration_id = $1 order by i.created_at, i.sequence`,
    [integration.id],
  );
  // Orders the host would not invoice yet, each with the reason a seller would be shown.
  const { rows: held } = await pool.query<{ external_id: string; message: string }>(
    `select external_id, message from held_invoices where integration_id = $1 order by created_at, external_id`,
    [integration.id],
  );
  const lines = [`dry run of ${pluginId} against ${against} (a throwaway database, deleted now):`];
  for (const run of runs) {
    const counts = Object.entries(run.counts ?? {})
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
    lines.push(
      `  job ${run.job_id}: ${run.status}${counts ? ` (${counts})` : ''}${run.error ? ` — ${run.error}` : ''}`,
    );
  }
  if (runs.length === 0) lines.push('  no job ran (the plugin declares none, or none is switched on)');
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const corrections = invoices.filter((i) => i.type === 'correction').length;
  const issued = count(invoices.length - corrections, 'invoice', 'invoices');
  lines.push(
    corrections === 0
      ? `  ${issued} would be issued:`
      : `  ${issued} and ${count(corrections, 'correction', 'corrections')} would be issued:`,
  );
  for (const invoice of invoices)
    lines.push(
      `    ${invoice.number}  ${invoice.currency} ${invoice.total}  ${invoice.lines} line(s)  ${invoice.buyer ?? 'no buyer name'}${invoice.external_id ? `  (order ${invoice.external_id})` : ''}`,
    );
  if (held.length > 0) {
    lines.push(held.length === 1 ? '  1 order would be held:' : `  ${held.length} orders would be held:`);
    for (const order of held) lines.push(`    order ${order.external_id}: ${order.message}`);
  }
  return { ok: runs.length > 0 && runs.every((r) => r.status !== 'failed'), lines };
}
