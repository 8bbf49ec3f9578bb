// Console benchmarks (console issue): the initial JavaScript (gzip) a fresh load of the login
// and integrations pages requests, and the time until an integration's generated settings form
// is interactive — the built console served by the real host, measured in headless Chromium.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { createHostApp } from '../host/src/app/host-app.ts';
import { readEnv } from '../host/src/config/env.ts';
import { createTenant, createUser } from '../host/src/tenancy/index.ts';
import { createTestDatabase } from '../host/src/testing/database.ts';
import { FIXTURE_REGISTRY } from '../host/test/support/test-host.ts';
import type { Bench, BenchRow } from './types.ts';

const root = join(import.meta.dirname, '..');
const consoleBuild = join(root, 'console/build');
const JS_BUDGET_KB = 150;
const PASSWORD = 'bench password 1234';

function ensureConsoleBuild(): void {
  if (existsSync(join(consoleBuild, 'index.html'))) return;
  const result = spawnSync('npm', ['run', 'build', '--workspace', '@mch/console'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('building the console failed');
}

/** Sum of the gzip sizes of every script a fresh page load requests (bytes). */
async function initialScriptBytes(context: BrowserContext, url: string, ready: string): Promise<number> {
  const page = await context.newPage();
  const bodies: Promise<number>[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'script') return;
    bodies.push(response.body().then((body) => gzipSync(body, { level: 9 }).length));
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  await page.locator(ready).first().waitFor();
  const sizes = await Promise.all(bodies);
  await page.close();
  return sizes.reduce((a, b) => a + b, 0);
}

/** Milliseconds from navigation start until the settings form's first field accepts input. */
async function formInteractiveMs(context: BrowserContext, url: string): Promise<number> {
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'commit' });
  const field = page.locator('[data-testid="schema-form"] input:not([type="hidden"])').first();
  await field.waitFor({ state: 'visible' });
  // Interactive: typing lands in the field (hydrated, enabled, event handlers attached).
  const ms = await field.evaluate((input: HTMLInputElement) => {
    input.focus();
    return document.activeElement === input && !input.disabled ? performance.now() : Number.NaN;
  });
  await page.close();
  if (Number.isNaN(ms)) throw new Error('the settings form field did not take focus');
  return ms;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

export default (async ({ quick }) => {
  ensureConsoleBuild();
  const dataDir = mkdtempSync(join(tmpdir(), 'mch-console-bench-'));
  const database = await createTestDatabase();
  const env = readEnv({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'error' });
  const app = await createHostApp({
    env,
    database: database.db,
    consoleDir: consoleBuild,
    registryPath: FIXTURE_REGISTRY,
  });
  let browser: Browser | undefined;
  try {
    const { url } = await app.start();
    if (!url) throw new Error('the host did not listen');
    const base = url.replace('localhost', '127.0.0.1');
    const em = () => database.db.orm.em.fork();
    const tenant = await createTenant({ em: em(), name: 'Bench Shop' });
    const email = 'bench@shop.test';
    await createUser({ em: em(), tenant: tenant.id, email, role: 'tenant_admin', password: PASSWORD });

    const login = await fetch(`${base}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    const session = /mch_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
    if (!login.ok || !session) throw new Error(`bench login failed: ${login.status}`);
    const created = await fetch(`${base}/trpc/integrations.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `mch_session=${session}` },
      body: JSON.stringify({
        pluginId: 'fixture-basic',
        settings: { username: 'bench', password: 'bench-secret' },
      }),
    });
    const integrationId = ((await created.json()) as { result?: { data?: { id?: string } } }).result?.data
      ?.id;
    if (!integrationId) throw new Error('bench integration was not created');

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const fresh = async (signedIn: boolean) => {
      const context = await browser!.newContext();
      if (signedIn) {
        const { hostname } = new URL(base);
        await context.addCookies([{ name: 'mch_session', value: session, domain: hostname, path: '/' }]);
      }
      return context;
    };

    const loginContext = await fresh(false);
    const loginJs = await initialScriptBytes(loginContext, `${base}/login`, 'button[type="submit"]');
    await loginContext.close();
    const listContext = await fresh(true);
    const listJs = await initialScriptBytes(
      listContext,
      `${base}/settings/integrations`,
      '[data-testid^="plugin-"]',
    );
    await listContext.close();

    const samples: number[] = [];
    for (let i = 0; i < (quick ? 2 : 7); i++) {
      const context = await fresh(true);
      samples.push(await formInteractiveMs(context, `${base}/settings/integrations/${integrationId}`));
      await context.close();
    }

    const jsRow = (page: string, bytes: number): BenchRow => ({
      bench: 'console',
      metric: `initial JS (gzip), ${page}`,
      value: bytes / 1024,
      unit: 'KB',
      target: `<= ${JS_BUDGET_KB} KB`,
      pass: bytes / 1024 <= JS_BUDGET_KB,
      note: 'every script a fresh load requests, gzip -9',
    });
    return [
      jsRow('/login', loginJs),
      jsRow('/settings/integrations', listJs),
      {
        bench: 'console',
        metric: 'settings form interactive',
        value: median(samples),
        unit: 'ms',
        note: `median of ${samples.length} fresh loads of /settings/integrations/:id, headless Chromium`,
      },
    ];
  } finally {
    await browser?.close();
    await app.stop();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}) satisfies Bench;
