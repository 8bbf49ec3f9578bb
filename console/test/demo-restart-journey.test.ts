// `npm start` twice on one data folder, as a person does: the demo (embedded database, every
// plugin's sandbox) started by the real CLI, an Allegro account connected through its sandbox's
// consent page, the host stopped and started again. Every account of the demo tenant is still
// connected, a sync after the restart works, nothing is issued twice, and the connect forms show
// the sandboxes' test sign-ins.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, logIn, screenshot, SKIP_BROWSER } from './support/browser.ts';
import { CONSOLE_BUILD, REPO_ROOT } from './support/console-host.ts';
import { freePort } from '../../host/src/testing/free-port.ts';

interface RunningDemo {
  child: ChildProcess;
  output: string;
}

/** The environment of a fresh machine: no database server, no marketplace configured. */
function demoEnv(dataDir: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(DATABASE_URL|MONGODB_URL|PUBLIC_URL|HOST_MASTER_KEY)$/.test(name)) continue;
    if (/^(ALLEGRO|EMAG|KSEF|EFACTURA|NBP|BNR)_/.test(name)) continue;
    env[name] = value;
  }
  return { ...env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
}

/** `npm run host -- start` until its demo banner is printed. */
function startDemo(dataDir: string, port: number): Promise<RunningDemo> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'host/src/cli/main.ts'), 'start'], {
    env: demoEnv(dataDir, port),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const running: RunningDemo = { child, output: '' };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start:\n${running.output}`)), 90_000);
    const take = (chunk: Buffer) => {
      running.output += chunk.toString('utf8');
      if (running.output.includes('pass --demo off')) {
        clearTimeout(timer);
        resolve(running);
      }
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the host exited (${code}):\n${running.output}`));
    });
  });
}

/** SIGTERM, as Ctrl-C or a supervisor stops it, and wait for the process to end. */
async function stopDemo(demo: RunningDemo | undefined): Promise<void> {
  if (!demo || demo.child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => demo.child.once('exit', () => resolve()));
  demo.child.kill('SIGTERM');
  await exited;
}

const sandboxUrl = (demo: RunningDemo, pluginId: string): string =>
  new RegExp(`sandbox ${pluginId}: (\\S+)`).exec(demo.output)?.[1] ?? '';

interface IntegrationRow {
  id: string;
  pluginId: string;
  label: string | null;
  status: string;
}
interface InvoiceRow {
  id: string;
  type: string;
  number: string;
  series: string | null;
  integrationId: string | null;
  externalOrderId: string | null;
  clearance: { number: string | null } | null;
}

describe.skipIf(SKIP_BROWSER)('console: the demo survives a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mch-demo-restart-'));
  let port: number;
  let base: string;
  let demo: RunningDemo | undefined;
  let browser: Browser;
  let page: Page;
  let password: string;

  const trpc = async <T>(path: string, input?: unknown): Promise<T> => {
    const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    const response = await page.request.get(`${base}/trpc/${path}${query}`);
    expect(response.status()).toBe(200);
    return ((await response.json()) as { result: { data: T } }).result.data;
  };
  const integrations = () => trpc<IntegrationRow[]>('integrations.list', {});
  async function allInvoices(): Promise<InvoiceRow[]> {
    const rows: InvoiceRow[] = [];
    for (let offset = 0; ; offset += 200) {
      const { invoices } = await trpc<{ invoices: InvoiceRow[] }>('invoices.list', { limit: 200, offset });
      rows.push(...invoices);
      if (invoices.length < 200) return rows;
    }
  }
  function expectNothingTwice(invoices: InvoiceRow[]): void {
    // Numbers run per seller (the demo has a Polish and a Romanian one): unique within an account.
    const numbers = invoices.map((i) => `${i.integrationId}:${i.series}:${i.number}`);
    expect(new Set(numbers).size).toBe(numbers.length);
    const orders = invoices
      .filter((i) => i.type === 'invoice' && i.externalOrderId)
      .map((i) => `${i.integrationId}:${i.externalOrderId}`);
    expect(new Set(orders).size).toBe(orders.length);
    const cleared = invoices.flatMap((i) => (i.clearance?.number ? [i.clearance.number] : []));
    expect(new Set(cleared).size).toBe(cleared.length);
  }

  beforeAll(async () => {
    if (!existsSync(join(CONSOLE_BUILD, 'index.html')))
      throw new Error('console/build is missing: run `npm run build -w @mch/console` first.');
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    demo = await startDemo(dataDir, port);
    password = /seller@demo\.local\s+(\S+)/.exec(demo.output)?.[1] ?? '';
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
    await logIn(page, base, 'seller@demo.local', password);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stopDemo(demo);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints and shows the sandboxes’ test sign-ins on the connect forms', async () => {
    // The banner names them, e.g. eMAG's first seller.
    expect(demo!.output).toContain('ro-main@sandbox.emag');
    await page.goto(`${base}/settings/integrations`);
    const emag = page.getByTestId('demo-sign-ins-emag');
    await emag.waitFor();
    expect(await emag.textContent()).toContain('API username');
    // Every seller of the sandbox, so another account can be connected (here: Bulgaria's).
    await emag.getByText('bg-main@sandbox.emag', { exact: true }).waitFor();
    await emag.getByText('sandbox-bg-main', { exact: true }).waitFor();
    await page.getByTestId('demo-sign-ins-ksef').getByText('KSeF token').waitFor();
    await page
      .getByTestId('demo-sign-ins-allegro')
      .getByText(/asks for no password/)
      .waitFor();
    await screenshot(page, 'demo-sign-ins');
  });

  it('connects an Allegro account through the sandbox’s consent page', async () => {
    const allegro = sandboxUrl(demo!, 'allegro');
    await page.getByRole('button', { name: 'Connect Allegro account' }).click();
    await page.waitForURL((url) => url.href.startsWith(allegro));
    await page.locator('#approve').click();
    await page.waitForURL(/\/settings\/integrations\?connected=/);
    await page.getByTestId('oauth-connected').getByRole('link').click();
    await page.getByTestId('integration-status').getByText('Active').waitFor();
    const rows = await integrations();
    expect(rows.map((r) => r.pluginId).sort()).toEqual([
      'allegro',
      'emag',
      'ksef',
      'ro-efactura',
      'woocommerce',
    ]);
    expect(rows.every((r) => r.status === 'active')).toBe(true);
  });

  it('keeps every account connected across a restart, with syncs working and nothing issued twice', async () => {
    const before = await integrations();
    const allegroSandbox = sandboxUrl(demo!, 'allegro');
    const invoicesBefore = await allInvoices();
    await stopDemo(demo);

    demo = await startDemo(dataDir, port);
    // The sandboxes come back where they were, with what they issued and served.
    expect(sandboxUrl(demo, 'allegro')).toBe(allegroSandbox);
    // The session is the database's: the browser is still signed in.
    await page.goto(`${base}/settings/integrations`);
    await page.getByRole('button', { name: 'Log out' }).waitFor();

    const allegro = before.find((r) => r.pluginId === 'allegro')!;
    // New orders on the marketplace, then a sync of the Allegro account from its page.
    const added = await fetch(`${allegroSandbox}/__sandbox/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 2 }),
    });
    expect(added.status).toBeLessThan(300);
    await page.goto(`${base}/settings/integrations/${allegro.id}`);
    await page.getByRole('button', { name: 'Manual Sync Now' }).click();
    const result = page.getByTestId('sync-result');
    await result.waitFor({ timeout: 45_000 });
    expect(await result.textContent()).toContain('Sync finished');
    await page.getByTestId('integration-status').getByText('Active').waitFor();

    // Every demo account — the credential ones, the documents ones signed in by consent, and the
    // Allegro one a person connected — still connected once their jobs ran against the sandboxes.
    await expect
      .poll(async () => (await allInvoices()).length, { timeout: 30_000, interval: 1000 })
      .toBeGreaterThanOrEqual(invoicesBefore.length + 2);
    const after = await integrations();
    expect(after.map((r) => [r.pluginId, r.status]).sort()).toEqual(
      before.map((r) => [r.pluginId, 'active']).sort(),
    );
    await page.goto(`${base}/settings/integrations`);
    for (const pluginId of ['allegro', 'emag', 'ksef', 'ro-efactura', 'woocommerce'])
      await page.getByTestId(`plugin-${pluginId}`).getByText('Active').waitFor();
    expect(await page.getByText('Needs re-auth').count()).toBe(0);
    await screenshot(page, 'demo-after-restart');

    const invoices = await allInvoices();
    // Nothing of before the restart issued again, no order invoiced twice, no KSeF number twice.
    expectNothingTwice(invoices);
    const ids = new Set(invoices.map((i) => i.id));
    for (const earlier of invoicesBefore) expect(ids.has(earlier.id)).toBe(true);
  });
});
