// Connections that recover, in a real browser against the eMAG sandbox (issue 13): a seller
// connecting eMAG with a wrong password is told so and nothing is kept; fixing the password in the
// same form connects it, in eMAG's words. Later eMAG stops taking the saved password (the account
// "needs re-auth"): typing the right one on the account's page and saving brings it back at once,
// with no deactivate-and-enable dance. Disconnecting an invoiced account erases its secrets and
// keeps its history; connecting it again resumes it and issues nothing twice.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentials } from '../../plugins/emag/test/support.ts';
import { screenshot, SKIP_BROWSER } from './support/browser.ts';
import type { ConsoleHost } from './support/console-host.ts';
import { startEmagJourney, type EmagJourney } from './support/emag-journey.ts';

describe.skipIf(SKIP_BROWSER)('console: connections that recover (eMAG sandbox)', () => {
  let journey: EmagJourney;
  let host: ConsoleHost;
  let page: Page;
  let integrationId = '';
  const right = credentials('ro-main');

  beforeAll(async () => {
    journey = await startEmagJourney({
      sandbox: { orders: 5, seed: 'connections' },
      tenant: 'Conexiune',
      email: 'admin@conexiune.test',
      viewport: { width: 1300, height: 900 },
    });
    ({ host, page } = journey);
  }, 120_000);

  afterAll(async () => {
    await journey?.stop();
  });

  it('refuses a wrong password at connect in eMAG’s words, keeps nothing, connects once it is fixed', async () => {
    await page.goto(`${host.url}/settings/integrations`);
    await page.getByRole('button', { name: 'Connect eMAG account' }).click();
    await page.getByRole('heading', { name: 'Connect your eMAG account' }).waitFor();
    const form = page.getByTestId('schema-form');
    await form.getByLabel(/^API username/).fill(right.username);
    await form.getByLabel(/^API password/).fill('not-the-password');
    await form.getByRole('button', { name: 'Connect' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'Not connected' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain(
      'Not connected: eMAG did not accept the username or password. Check the API user and its password in the eMAG seller portal, then save them again.',
    );
    expect(page.url()).toBe(`${host.url}/settings/integrations`);
    expect(await journey.trpc<unknown[]>('integrations.list', {}, 'GET')).toHaveLength(0);
    await screenshot(page, 'connections-refused');

    // Fixed in the same form: connected, with what eMAG answered.
    await form.getByLabel(/^API password/).fill(right.password);
    await form.getByRole('button', { name: 'Connect' }).click();
    await page.waitForURL(/\/settings\/integrations\/[^/?]+\?created=1$/);
    integrationId = new URL(page.url()).pathname.split('/').pop()!;
    const notice = page.getByRole('status').filter({ hasText: 'Connected.' });
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(
      /Connected\. Connected to eMAG \(RO\); \d+ seller orders visible\./,
    );
  });

  it('an account needing re-auth recovers as soon as the right password is saved', async () => {
    // eMAG stopped taking the saved password (it was changed in eMAG's portal); the host marked it.
    await host.database.db.pool.query(
      `update integrations set status = 'needs_reauth', status_reason = 'eMAG did not accept the saved password.' where id = $1`,
      [integrationId],
    );
    await page.goto(`${host.url}/settings/integrations/${integrationId}`);
    const health = page.getByTestId('integration-status');
    await expect.poll(() => health.textContent()).toMatch(/needs re-?auth/i);

    const form = page.getByTestId('schema-form');
    await expect
      .poll(() => form.getByLabel(/^API username/).inputValue(), { timeout: 15_000 })
      .toBe(right.username);
    // A wrong one first: refused, nothing changes.
    await form.getByLabel(/^API password/).fill('still-wrong');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not saved: eMAG did not accept' }).waitFor();

    await form.getByLabel(/^API password/).fill(right.password);
    await form.getByRole('button', { name: 'Save' }).click();
    const check = page.getByTestId('connection-check');
    await check.waitFor();
    expect(await check.textContent()).toContain('Connected. Connected to eMAG (RO)');
    const status = await journey.trpc<{ status: string; statusReason: string | null }>(
      'integrations.status',
      { id: integrationId },
      'GET',
    );
    expect(status).toMatchObject({ status: 'active', statusReason: null });
    await expect.poll(() => health.textContent()).toMatch(/active/i);
    await screenshot(page, 'connections-recovered');
  });

  it('disconnects an invoiced account keeping its history, and connecting it again issues nothing twice', async () => {
    const invoiced = async () =>
      (await journey.trpc<{ total: number }>('invoices.list', { integrationId }, 'GET')).total;
    const { runId } = await journey.trpc<{ runId: string }>(
      'integrations.sync',
      { id: integrationId },
      'POST',
    );
    await expect
      .poll(
        async () => (await journey.trpc<{ status: string }>('integrations.run', { runId }, 'GET')).status,
        {
          timeout: 60_000,
        },
      )
      .toBe('succeeded');
    const before = await invoiced();
    expect(before).toBeGreaterThan(0);

    await page.goto(`${host.url}/settings/integrations/${integrationId}`);
    page.once('dialog', (dialog) => {
      expect(dialog.message()).toContain('are kept: connecting the same account again resumes it');
      void dialog.accept();
    });
    await page.getByRole('button', { name: 'Disconnect' }).click();
    const note = page.getByTestId('disconnected');
    await note.waitFor();
    expect(await note.textContent()).toMatch(/To\s+resume\s+it,\s+connect\s+the\s+same\s+account\s+again/);
    expect(await page.getByTestId('health-reason').textContent()).toMatch(/passwords and sign-in are erased/);
    await screenshot(page, 'connections-disconnected');

    await page.goto(`${host.url}/settings/integrations`);
    await page.getByRole('button', { name: 'Connect eMAG account' }).click();
    const form = page.getByTestId('schema-form');
    await form.getByLabel(/^API username/).fill(right.username);
    await form.getByLabel(/^API password/).fill(right.password);
    await form.getByRole('button', { name: 'Connect' }).click();
    // The same account: the same integration comes back, with its history.
    await page.waitForURL(`${host.url}/settings/integrations/${integrationId}?created=1`);
    const again = await journey.trpc<{ runId: string }>('integrations.sync', { id: integrationId }, 'POST');
    await expect
      .poll(
        async () =>
          (await journey.trpc<{ status: string }>('integrations.run', { runId: again.runId }, 'GET')).status,
        { timeout: 60_000 },
      )
      .toBe('succeeded');
    expect(await invoiced()).toBe(before);
  });
});
