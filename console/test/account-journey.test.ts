// Account management in a real browser against a real host (issue 11): a tenant admin creates and
// revokes an API token, changes their password, adds a team member, resets their password and
// disables them, and signs out everywhere; a platform admin disables and enables a tenant.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, logIn, screenshot, SKIP_BROWSER } from './support/browser.ts';
import { startConsoleHost, type ConsoleHost } from './support/console-host.ts';

describe.skipIf(SKIP_BROWSER)('console: account journey', () => {
  let host: ConsoleHost;
  let browser: Browser;
  let page: Page;

  const signIn = (email: string, password: string) =>
    fetch(`${host.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });

  beforeAll(async () => {
    host = await startConsoleHost();
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(15_000);
    await logIn(page, host.url, host.users.seller, host.users.password);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('creates an API token shown once, which works until it is revoked', async () => {
    await page.goto(`${host.url}/settings/profile`);
    await page.getByLabel('Token name').fill('nightly export');
    await page.getByLabel('Expires after').selectOption('30');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByTestId('created-token');
    await shown.waitFor();
    const token = (await shown.locator('code').textContent())?.trim() ?? '';
    expect(token).toMatch(/^mch_/);
    const auth = { headers: { authorization: `Bearer ${token}` } };
    expect((await fetch(`${host.url}/api/v1/account/tokens`, auth)).status).toBe(200);
    await screenshot(page, 'profile-tokens');
    await page.getByRole('button', { name: 'Revoke nightly export' }).click();
    await page.getByText('Token "nightly export" revoked').waitFor();
    const refused = await fetch(`${host.url}/api/v1/account/tokens`, auth);
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('This API token was revoked on');
  });

  it('changes the password only with the current one', async () => {
    await page.getByLabel('Current password').fill('not the password at all');
    await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('The current password is incorrect');
    await page.getByLabel('Current password').fill(host.users.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed.').waitFor();
    expect((await signIn(host.users.seller, 'a brand new passphrase')).status).toBe(200);
  });

  it('adds a team member, resets their password and disables them', async () => {
    await page.getByRole('link', { name: 'Team' }).click();
    await page.getByLabel('Email').fill('clerk@acme.test');
    await page.getByRole('button', { name: 'Add user' }).click();
    const shown = page.getByTestId('shown-password');
    await shown.waitFor();
    const first = (await shown.locator('code').textContent())?.trim() ?? '';
    expect((await signIn('clerk@acme.test', first)).status).toBe(200);
    await page.getByRole('button', { name: 'Reset password of clerk@acme.test' }).click();
    await page.getByText('clerk@acme.test has a new password and was signed out everywhere.').waitFor();
    const password = (await page.getByTestId('shown-password').locator('code').textContent())?.trim() ?? '';
    expect(password).not.toBe(first);
    expect((await signIn('clerk@acme.test', first)).status).toBe(401);
    expect((await signIn('clerk@acme.test', password)).status).toBe(200);
    await page.getByRole('button', { name: 'Disable clerk@acme.test' }).click();
    await page.getByText('clerk@acme.test is disabled').waitFor();
    await screenshot(page, 'team');
    expect((await signIn('clerk@acme.test', password)).status).toBe(403);
  });

  it('lets a platform admin disable and enable a tenant', async () => {
    const admin = await (await browser.newContext()).newPage();
    admin.setDefaultTimeout(15_000);
    await logIn(admin, host.url, host.users.admin, host.users.password);
    await admin.goto(`${host.url}/admin/tenants`);
    await admin.getByRole('button', { name: 'Disable Other Shop' }).click();
    await admin.getByText('Other Shop is disabled').waitFor();
    expect((await signIn(host.users.otherSeller, host.users.password)).status).toBe(403);
    await admin.getByRole('button', { name: 'Enable Other Shop' }).click();
    await admin.getByText('Other Shop is enabled again.').waitFor();
    expect((await signIn(host.users.otherSeller, host.users.password)).status).toBe(200);
  });

  it('signs out everywhere: this browser and every other session of the user', async () => {
    const other = await signIn(host.users.seller, 'a brand new passphrase');
    const cookie = other.headers
      .getSetCookie()
      .find((c) => c.startsWith('mch_session='))!
      .split(';')[0]!;
    const me = () => fetch(`${host.url}/trpc/auth.me`, { headers: { cookie } });
    expect((await me()).status).toBe(200);
    await page.goto(`${host.url}/settings/profile`);
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.waitForURL(/\/login/);
    expect((await me()).status).toBe(401);
    await page.goto(`${host.url}/settings/profile`);
    await page.waitForURL(/\/login\?next=/);
  });
});
