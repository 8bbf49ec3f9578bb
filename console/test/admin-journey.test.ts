// The admin journey in a real browser against a real host: metrics, every tenant's integrations,
// settings in a dialog, batch sync, connector enablement per tenant, the plugin catalogue and the
// generated form of a rich schema.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiLogin, type ApiSession } from './support/api.ts';
import { launchChromium, logIn, screenshot, SKIP_BROWSER } from './support/browser.ts';
import { startConsoleHost, type ConsoleHost } from './support/console-host.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'host', 'test', 'fixtures', 'plugins');

describe.skipIf(SKIP_BROWSER)('console: admin journey', () => {
  let host: ConsoleHost;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let seller: ApiSession;
  let acmeIntegration: string;

  beforeAll(async () => {
    host = await startConsoleHost();
    browser = await launchChromium();
    seller = await apiLogin(host.url, host.users.seller, host.users.password);
    const other = await apiLogin(host.url, host.users.otherSeller, host.users.password);
    const created = await seller.call<{ id: string }>('integrations.create', {
      pluginId: 'fixture-basic',
      label: 'Acme main account',
      settings: { username: 'acme', password: 'acme-secret' },
    });
    acmeIntegration = created.id;
    await other.call('integrations.create', {
      pluginId: 'fixture-basic',
      label: 'Other main account',
      settings: { username: 'other', password: 'other-secret' },
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await logIn(page, host.url, host.users.admin, host.users.password);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('lands on the dashboard with the metrics and the chart of syncs', async () => {
    await page.waitForURL(`${host.url}/admin`);
    const metrics = page.getByTestId('metrics');
    await expect.poll(() => metrics.getByText('Total integrations').count()).toBe(1);
    expect(
      await metrics.locator('li', { hasText: 'Total integrations' }).locator('.value').textContent(),
    ).toBe('2');
    expect(
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).count(),
    ).toBe(1);
    // Without synced days the chart says so; with them it is an SVG (no chart library).
    const chartOrEmpty = page.getByTestId('metrics-chart').or(page.getByText('No sync runs recorded yet.'));
    await chartOrEmpty.first().waitFor();
    await screenshot(page, 'admin-dashboard');
  });

  it('lists every tenant’s integrations, filters by tenant and edits settings in a dialog', async () => {
    await page.getByRole('link', { name: 'Integrations' }).click();
    const table = page.getByTestId('admin-integrations');
    await table.getByText('Acme main account').waitFor();
    expect(await table.getByText('Other main account').count()).toBe(1);

    await page.getByLabel('Tenant').selectOption({ label: 'Acme Shop' });
    await expect.poll(() => table.getByText('Other main account').count()).toBe(0);
    expect(page.url()).toContain(`tenant=${host.tenants.acme}`);
    await screenshot(page, 'admin-integrations');

    await page.getByRole('button', { name: /Settings of Acme Shop/ }).click();
    const dialog = page.getByRole('dialog');
    const frequency = dialog.getByLabel('Sync frequency (minutes)');
    await frequency.fill('2');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog
      .getByRole('alert')
      .getByText(/Sync frequency/)
      .waitFor();
    expect(await frequency.getAttribute('aria-invalid')).toBe('true');
    await frequency.fill('15');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('Settings saved.').waitFor();
    await screenshot(page, 'admin-settings-dialog');
    await dialog.getByRole('button', { name: 'Close dialog' }).click();

    const stored = await seller.call<{ settings: Record<string, unknown> }>(
      'integrations.getSettings',
      { id: acmeIntegration },
      'query',
    );
    expect(stored.settings.syncFrequencyMinutes).toBe(15);
  });

  it('runs a batch sync on the selection', async () => {
    await page.getByLabel('Tenant').selectOption({ label: 'All tenants' });
    const table = page.getByTestId('admin-integrations');
    await table.getByText('Other main account').waitFor();
    await page.getByLabel('Select all on this page').check();
    await page.getByText('2 selected').waitFor();
    await page.getByRole('button', { name: 'Sync selected' }).click();
    const result = page.getByTestId('batch-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('Sync started for 2 of 2');
    const runs = await seller.call<unknown[]>('integrations.runs', { id: acmeIntegration }, 'query');
    expect(runs.length).toBeGreaterThanOrEqual(1);
  });

  it('syncs one row, disables a selection and filters by health', async () => {
    const table = page.getByTestId('admin-integrations');
    const otherRow = table.locator('tr', { hasText: 'Other main account' });
    await otherRow.getByRole('button', { name: 'Sync' }).click();
    await otherRow.getByTestId('sync-result').waitFor({ timeout: 45_000 });
    expect(await otherRow.getByTestId('sync-result').textContent()).toMatch(/Sync (finished|failed)/);

    await page.getByLabel('Select all on this page').uncheck();
    await page.getByRole('checkbox', { name: /Select Other Shop/ }).check();
    await page.getByRole('button', { name: 'Disable selected' }).click();
    await page.getByTestId('batch-result').getByText('Disabled 1 of 1').waitFor();
    await page.getByLabel('Health').selectOption({ label: 'Disabled' });
    await expect.poll(() => table.getByText('Acme main account').count()).toBe(0);
    expect(await table.getByText('Other main account').count()).toBe(1);
    await page.getByRole('checkbox', { name: /Select Other Shop/ }).check();
    await page.getByRole('button', { name: 'Enable selected' }).click();
    await page.getByText('No integrations match these filters.').waitFor();
    await page.getByLabel('Health').selectOption({ label: 'Any health' });
  });

  it('charts the day’s sync runs on the dashboard', async () => {
    // The runs of the syncs started above are recorded when they are queued.
    await page.getByRole('link', { name: 'Dashboard' }).click();
    const chart = page.getByTestId('metrics-chart');
    await chart.waitFor();
    // Today's bar counts the runs the batch sync started.
    expect(await chart.locator('rect.runs title').last().textContent()).toMatch(/: [1-9]\d* runs$/);
    await screenshot(page, 'admin-dashboard-chart');
    await page.getByRole('link', { name: 'Integrations' }).click();
  });

  it('disables a connector for a tenant, and the tenant loses it', async () => {
    await page.getByRole('link', { name: 'Tenants' }).click();
    const toggle = page.getByRole('checkbox', { name: 'Fixture Basic for Acme Shop' });
    expect(await toggle.isChecked()).toBe(true);
    await toggle.uncheck();
    await page.getByText('Fixture Basic disabled for Acme Shop.').waitFor();
    await screenshot(page, 'admin-tenants');

    const sellerContext = await browser.newContext();
    const sellerPage = await sellerContext.newPage();
    await logIn(sellerPage, host.url, host.users.seller, host.users.password);
    await sellerPage.waitForURL(/\/settings\/integrations$/);
    await sellerPage.getByTestId('plugin-fixture-rich').waitFor();
    expect(await sellerPage.getByTestId('plugin-fixture-basic').count()).toBe(0);
    await sellerContext.close();

    // The other tenant keeps it.
    const plugins = await (
      await apiLogin(host.url, host.users.otherSeller, host.users.password)
    ).call<{ id: string }[]>('plugins.list', undefined, 'query');
    expect(plugins.map((p) => p.id)).toContain('fixture-basic');
  });

  it('shows the plugin catalogue with each manifest’s validity and load errors', async () => {
    await page.getByRole('link', { name: 'Plugin catalogue' }).click();
    const loaded = page.getByTestId('catalogue-loaded');
    await loaded.getByText('Fixture Rich', { exact: true }).waitFor();
    expect(await loaded.getByText('Fixture Basic', { exact: true }).count()).toBe(1);
    const broken = page.getByRole('region', { name: /Refused manifest fixture-broken/ });
    expect(await broken.getByText('/version').count()).toBe(1);
    expect(await broken.textContent()).toContain('must be a semver version');
    expect(await page.getByRole('region', { name: /Refused manifest fixture-missing/ }).count()).toBe(1);
    await screenshot(page, 'admin-plugins');
  });

  it('renders and validates the rich fixture schema: nested objects, arrays, enums, oneOf, bounds, secrets, if/then', async () => {
    await page.getByRole('link', { name: 'Preview settings form of Fixture Rich' }).click();
    const form = page.getByTestId('schema-form');
    await form.getByLabel('Invoice series').waitFor();

    // Secrets are password inputs; enums are selects; bounded numbers carry their bounds.
    expect(await form.getByLabel('Webhook secret').getAttribute('type')).toBe('password');
    expect(await form.locator('select').count()).toBeGreaterThanOrEqual(2);
    const vat = form.getByLabel('Default VAT rate (%)');
    expect(await vat.getAttribute('max')).toBe('27');
    expect(await form.getByLabel('Sync frequency (min)').getAttribute('type')).toBe('range');

    // The conditional field appears only when its switch is on.
    expect(await form.getByLabel(/^Invoice template/).count()).toBe(0);
    await form.getByLabel('Use a custom invoice template').check();
    await form.getByLabel(/^Invoice template/).waitFor();

    // Arrays: add a warehouse (an object with a required code).
    await form.getByRole('button', { name: 'Add item' }).first().click();

    await form.getByLabel('Invoice series').fill('abc');
    await vat.fill('30');
    await form.getByLabel('Webhook secret').fill('short');
    await page.getByRole('button', { name: 'Check values' }).click();
    const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
    await summary.waitFor();
    const text = (await summary.textContent()) ?? '';
    expect(text).toContain('Invoice series');
    expect(text).toContain('Default VAT rate');
    expect(text).toContain('Webhook secret');
    expect(text).toContain('Invoice template');
    await screenshot(page, 'rich-form-errors');

    // The summary links move focus to the field.
    await summary.getByRole('link', { name: /Invoice series/ }).click();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid'))).toBe('true');

    await form.getByLabel('Invoice series').fill('ABC');
    await vat.fill('22.5');
    await form.getByLabel('Webhook secret').fill('a-long-enough-webhook-secret');
    await form.getByLabel(/^Invoice template/).fill('tpl-1');
    await form.locator('[data-layout="array-item"] input[type="text"]').first().fill('WH1');
    await page.getByRole('button', { name: 'Check values' }).click();
    await page.getByText('The values are valid.').waitFor();
    const value = JSON.parse((await page.getByTestId('preview-value').textContent()) ?? '{}') as Record<
      string,
      unknown
    >;
    expect(value).toMatchObject({
      invoicing: { series: 'ABC' },
      defaultVatRate: 22.5,
      invoiceTemplateId: 'tpl-1',
      warehouses: [{ code: 'WH1' }],
    });
  });

  it("previews a plugin's settings form from a pasted manifest, or says what is wrong with it", async () => {
    await page.goto(`${host.url}/admin/plugins`);
    await page.getByRole('link', { name: "Preview a plugin's settings form from its manifest" }).click();
    const manifest = JSON.parse(
      await readFile(join(FIXTURES, 'fixture-apikey', 'plugin.manifest.json'), 'utf8'),
    ) as Record<string, unknown> & { settings: { properties: Record<string, { title?: string }> } };
    const field = page.getByLabel('Manifest (plugin.manifest.json)');
    await field.fill(JSON.stringify({ ...manifest, version: '1.0' }, null, 2));
    await page.getByRole('button', { name: 'Preview the form' }).click();
    const problems = page.getByRole('alert').filter({ hasText: 'The manifest has 1 problem' });
    await problems.waitFor();
    expect(await problems.textContent()).toContain('/version');

    manifest.settings.properties.storeUrl!.title = 'Address of your shop';
    await field.fill(JSON.stringify(manifest, null, 2));
    await page.getByRole('button', { name: 'Preview the form' }).click();
    await page.getByRole('heading', { name: 'Fixture Shop — settings form (v1.0.0)' }).waitFor();
    const form = page.getByTestId('schema-form');
    await form.getByLabel('Address of your shop').fill('https://shop.example');
    expect(await form.getByLabel('API key').getAttribute('type')).toBe('password');
    await page.getByRole('button', { name: 'Check values' }).click();
    const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
    await summary.waitFor();
    expect(await summary.textContent()).toContain('API key');
    await form.getByLabel('API key').fill('k');
    await form.getByLabel('Store token').fill('t');
    await page.getByRole('button', { name: 'Check values' }).click();
    await page.getByText('The values are valid.').waitFor();
    expect(JSON.parse((await page.getByTestId('preview-value').textContent()) ?? '{}')).toMatchObject({
      storeUrl: 'https://shop.example',
    });
    await screenshot(page, 'admin-manifest-preview');
  });

  it('is usable at a phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${host.url}/admin/integrations`);
    await page.getByTestId('admin-integrations').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await screenshot(page, 'admin-integrations-phone');
  });
});
