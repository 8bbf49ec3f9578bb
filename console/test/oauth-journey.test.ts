// The user journey through an OAuth marketplace, against the root plugin registry and the
// Allegro sandbox (its consent page, API and tokens): connect, fix an invalid setting, save,
// sync now with live progress, and see the invoices created from the synced orders.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../plugins/allegro/sandbox/index.ts';
import { launchChromium, logIn, screenshot, SKIP_BROWSER } from './support/browser.ts';
import { REPO_ROOT, startConsoleHost, type ConsoleHost } from './support/console-host.ts';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

describe.skipIf(SKIP_BROWSER)('console: OAuth user journey (Allegro sandbox)', () => {
  let host: ConsoleHost;
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    host = await startConsoleHost({
      registryPath: join(REPO_ROOT, 'plugin.manifest.json'),
      async pluginConfig(publicUrl) {
        const redirectUri = `${publicUrl}/api/v1/allegro/auth/callback`;
        sandbox = await startSandbox({
          host: '127.0.0.1',
          port: 0,
          redirectUri,
          orders: 12,
          seed: 'console',
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
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(15_000);
    await logIn(page, host.url, host.users.seller, host.users.password);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await sandbox?.close();
  });

  it('connects an account through the marketplace’s consent page', async () => {
    await page.waitForURL(/\/settings\/integrations$/);
    await page.getByRole('button', { name: 'Connect Allegro account' }).click();
    await page.waitForURL((url) => url.href.startsWith(sandbox.url));
    await screenshot(page, 'oauth-consent');
    await page.locator('#approve').click();
    await page.waitForURL(/\/settings\/integrations\?connected=/);
    await page.getByTestId('oauth-connected').waitFor();
    await screenshot(page, 'oauth-connected');
    await page.getByTestId('oauth-connected').getByRole('link').click();
    await page.waitForURL(/\/settings\/integrations\/[^/?]+$/);
    await page.getByTestId('integration-status').getByText('Active').waitFor();
  });

  it('shows an invalid setting’s error on its field, then saves the fix', async () => {
    const form = page.getByTestId('schema-form');
    const frequency = form.getByLabel(/^Sync frequency/);
    await expect.poll(() => frequency.inputValue()).toBe('60');
    await frequency.fill('2');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'There is a problem' }).waitFor();
    expect(await frequency.getAttribute('aria-invalid')).toBe('true');
    await frequency.fill('15');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('Settings saved.').waitFor();
  });

  it('syncs now with live progress and shows the new invoices with PDF links', async () => {
    // The first scheduled sync may already have run; new orders make this sync's invoices new.
    await page.reload();
    const invoiceRows = page.getByTestId('invoices-table').locator('tbody tr');
    const before = await invoiceRows.count();
    const added = await fetch(`${sandbox.url}/__sandbox/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 3 }),
    });
    expect(added.status).toBeLessThan(300);
    await page.getByRole('button', { name: 'Manual Sync Now' }).click();
    await page.getByTestId('sync-progress').locator('progress').waitFor();
    const result = page.getByTestId('sync-result');
    await result.waitFor({ timeout: 45_000 });
    expect(await result.textContent()).toContain('Sync finished');
    const invoices = page.getByTestId('invoices-table');
    await invoices.waitFor();
    // A scheduled run may be holding the integration's lock and create them just after this one.
    await expect
      .poll(
        async () => {
          if ((await invoiceRows.count()) < Math.min(20, before + 3)) {
            await page.reload();
            await invoices.waitFor();
          }
          return invoiceRows.count();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBeGreaterThanOrEqual(Math.min(20, before + 3));
    const pdf = invoices.getByRole('link', { name: /PDF/ }).first();
    const href = (await pdf.getAttribute('href')) ?? '';
    const response = await page.request.get(new URL(href, host.url).href);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('application/pdf');
    await screenshot(page, 'oauth-integration-synced');
  });

  it('shows when the marketplace revoked the authorization, and reconnects', async () => {
    const revoked = await fetch(`${sandbox.url}/__sandbox/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(revoked.status).toBe(200);
    await page.getByRole('button', { name: 'Manual Sync Now' }).click();
    // The sync fails on the revoked token — unless the previous sync's follow-up upload met it
    // first (a busy machine): then the account already needs re-auth and the sync is refused.
    await page
      .getByTestId('sync-result')
      .getByText(/Sync (failed|finished)/)
      .or(page.getByRole('alert').getByText(/Could not sync: .*connect the account again/))
      .waitFor({ timeout: 45_000 });
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByTestId('integration-status').waitFor();
          return page.getByTestId('integration-status').textContent();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toContain('Needs re-auth');
    await page.getByText(/no longer accepts this account/).waitFor();
    await screenshot(page, 'oauth-needs-reauth');

    await page.getByRole('button', { name: 'Reconnect' }).click();
    await page.waitForURL((url) => url.href.startsWith(sandbox.url));
    await page.locator('#approve').click();
    await page.waitForURL(/\/settings\/integrations\/[^/?]+\?connected=/);
    await page.getByTestId('integration-status').getByText('Active').waitFor();
  });
});
