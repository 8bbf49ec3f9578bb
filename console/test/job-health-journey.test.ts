// Health per job in a real browser (issue 13), against the root plugin registry and the Allegro
// sandbox: a seller connects an account; then Allegro's order events answer 503 to every request
// (the sandbox's fault switches), so "Sync orders" fails each run after all its retries, while
// "Upload invoices to their orders" keeps succeeding with nothing to do. The upload's successes no
// longer flip the account back to healthy: the integration's page shows it failing because of the
// orders sync, each job with its own failures in a row, and one row per run with its 7 attempts;
// after the 5th failed run in a row (the manifest's `disableAfterFailures`) the account is
// switched off, naming the job. Retry pauses (the scheduler's and the HTTP client's) are shortened (`retryScale`), their number is not.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../plugins/allegro/sandbox/index.ts';
import { launchChromium, logIn, screenshot, SKIP_BROWSER } from './support/browser.ts';
import { REPO_ROOT, startConsoleHost, type ConsoleHost } from './support/console-host.ts';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

interface RunView {
  id: string;
  jobId: string;
  status: string;
  attempt: number;
}
interface JobView {
  jobId: string;
  consecutiveFailures: number;
  lastRunAt: string | null;
}
interface StatusView {
  status: string;
  jobs: JobView[];
}

const ORDERS = 'sync-orders';
const UPLOAD = 'upload-invoices';
/** Allegro's manifest: 6 retries after the first failure. */
const ATTEMPTS = 7;

describe.skipIf(SKIP_BROWSER)('console: health per job (Allegro sandbox)', () => {
  let host: ConsoleHost;
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  let integrationId: string;

  /** tRPC from the signed-in page (same origin, the session cookie rides along). */
  async function trpc<T>(path: string, input: unknown, method: 'GET' | 'POST'): Promise<T> {
    const body = await page.evaluate(
      async ({ path, input, method }) => {
        const url =
          method === 'GET'
            ? `/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`
            : `/trpc/${path}`;
        const response = await fetch(url, {
          method,
          headers: { 'content-type': 'application/json' },
          ...(method === 'POST' ? { body: JSON.stringify(input) } : {}),
        });
        return (await response.json()) as unknown;
      },
      { path, input, method },
    );
    const data = (body as { result?: { data: T } }).result;
    if (!data) throw new Error(`${path}: ${JSON.stringify(body)}`);
    return data.data;
  }

  const lastRunOf = async (jobId: string) =>
    (await trpc<StatusView>('integrations.status', { id: integrationId }, 'GET')).jobs.find(
      (j) => j.jobId === jobId,
    )?.lastRunAt ?? null;

  /** Runs one job now; waits until the run (with all its retries) ended and its health is written. */
  async function runJob(jobId: string): Promise<RunView> {
    const before = await lastRunOf(jobId);
    const { runId } = await trpc<{ runId: string }>(
      'integrations.sync',
      { id: integrationId, jobId },
      'POST',
    );
    const deadline = Date.now() + 120_000;
    for (;;) {
      const run = await trpc<RunView>('integrations.run', { runId }, 'GET');
      if (['succeeded', 'failed'].includes(run.status) && (await lastRunOf(jobId)) !== before) return run;
      if (Date.now() > deadline) throw new Error(`the ${jobId} run is still ${run.status}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Waits until no run of the integration is queued, running or waiting for a retry. */
  async function quiet(): Promise<void> {
    const deadline = Date.now() + 120_000;
    let calm = 0;
    while (calm < 3) {
      const runs = await trpc<RunView[]>('integrations.runs', { id: integrationId, limit: 20 }, 'GET');
      calm = runs.some((r) => ['queued', 'running', 'retrying'].includes(r.status)) ? 0 : calm + 1;
      if (Date.now() > deadline) throw new Error('the integration is still busy');
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  beforeAll(async () => {
    host = await startConsoleHost({
      registryPath: join(REPO_ROOT, 'plugin.manifest.json'),
      retryScale: 0.001,
      async pluginConfig(publicUrl) {
        const redirectUri = `${publicUrl}/api/v1/allegro/auth/callback`;
        sandbox = await startSandbox({
          host: '127.0.0.1',
          port: 0,
          redirectUri,
          orders: 4,
          seed: 'job-health-journey',
          extra: { accounts: 1, invoiceScanMs: 30 },
        });
        return new Map([
          [
            'allegro',
            {
              ALLEGRO_CLIENT_ID: String(sandbox.credentials.clientId),
              ALLEGRO_CLIENT_SECRET: String(sandbox.credentials.clientSecret),
              ALLEGRO_REDIRECT_URI: redirectUri,
              ALLEGRO_AUTH_URL: sandbox.url,
              ALLEGRO_API_URL: sandbox.url,
            },
          ],
        ]);
      },
    });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    page.setDefaultTimeout(20_000);
    await logIn(page, host.url, host.users.seller, host.users.password);

    // The seller connects the account through Allegro's consent page; the first sync works.
    await page.waitForURL(/\/settings\/integrations$/);
    await page.getByRole('button', { name: 'Connect Allegro account' }).click();
    await page.waitForURL((url) => url.href.startsWith(sandbox.url));
    await page.locator('#approve').click();
    await page.waitForURL(/\/settings\/integrations\?connected=/);
    integrationId = new URL(page.url()).searchParams.get('connected')!;
    expect(integrationId).toBeTruthy();
    expect((await runJob(ORDERS)).status).toBe('succeeded');
    await quiet();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await sandbox?.close();
  });

  it("keeps the orders sync's failures while the upload succeeds, then switches the account off naming it", async () => {
    // Every order-event request now answers 503: the orders sync fails; the upload has nothing to send.
    const faults = await fetch(`${sandbox.controlUrl}/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 1, errorStatus: 503, routes: ['/order/event'] }),
    });
    expect(faults.status).toBe(200);

    const panel = page.getByRole('region', { name: 'Status and health' });
    const jobRow = (jobId: string) => panel.getByTestId('job-health').locator(`li[data-job="${jobId}"]`);
    for (let n = 1; n <= 4; n++) {
      const failed = await runJob(ORDERS);
      expect(failed).toMatchObject({ status: 'failed', attempt: ATTEMPTS });
      expect((await runJob(UPLOAD)).status).toBe('succeeded');
    }

    // Four failed runs in a row and the upload just worked: failing, because of the orders sync.
    await page.goto(`${host.url}/settings/integrations/${integrationId}`);
    await panel.getByTestId('integration-status').getByText('Degraded').waitFor();
    expect(await panel.getByTestId('integration-health').textContent()).toContain('Failing');
    expect(await panel.getByTestId('health-reason').textContent()).toMatch(
      /Sync orders failed 4 times in a row .*after 5 failed runs in a row the account is switched off/,
    );
    expect((await panel.getByTestId('consecutive-failures').textContent())?.trim()).toBe('4 (Sync orders)');
    expect(await jobRow(ORDERS).textContent()).toMatch(
      /Failing.*in a row: 4 of 5.*Last error .*Allegro could not answer while reading order( event)?s: .+[^.]\. Nothing was changed\./s,
    );
    // Said in words: no HTTP status, no API path.
    expect(await jobRow(ORDERS).textContent()).not.toMatch(/\b503\b|\/order/);
    expect(await jobRow(UPLOAD).textContent()).toMatch(/Healthy.*in a row: 0 of 5.*Last error: None/s);
    // One row per run, each with its attempts, not one per attempt.
    const runs = page.getByTestId('runs-table');
    const orderRows = runs.locator(`tr[data-job="${ORDERS}"]`);
    await expect.poll(() => orderRows.count()).toBeGreaterThanOrEqual(4);
    const failedRows = orderRows.filter({ hasText: 'Failed' });
    expect(await failedRows.count()).toBe(4);
    for (const text of await failedRows.getByTestId('run-attempts').allTextContents())
      expect(text).toBe(`${ATTEMPTS} attempts`);
    await screenshot(page, 'job-health-failing');

    // The fifth failed run in a row of the orders sync switches the account off.
    expect(await runJob(ORDERS)).toMatchObject({ status: 'failed', attempt: ATTEMPTS });
    const state = await trpc<StatusView>('integrations.status', { id: integrationId }, 'GET');
    expect(state.status).toBe('disabled');

    await page.reload();
    await panel.getByTestId('integration-status').getByText('Disabled').waitFor();
    expect(await panel.getByTestId('health-reason').textContent()).toMatch(
      /^Switched off because Sync orders had 5 consecutive failed syncs\. Last error: Allegro could not answer while reading order( event)?s: .*fix the cause, then enable it\.$/s,
    );
    expect(await jobRow(ORDERS).textContent()).toMatch(/Failing.*in a row: 5 of 5/s);
    expect(await jobRow(UPLOAD).textContent()).toMatch(/Healthy/);
    expect(
      await page
        .getByTestId('runs-table')
        .locator(`tr[data-job="${ORDERS}"]`)
        .filter({ hasText: 'Failed' })
        .count(),
    ).toBe(5);
    await page.getByRole('button', { name: 'Enable' }).waitFor();
    await screenshot(page, 'job-health-disabled');
  }, 300_000);
});
