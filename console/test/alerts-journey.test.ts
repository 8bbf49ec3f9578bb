// Alerts in a real browser (issue 19 "alerts in the console before the deadline passes"): a seller
// whose marketplace account needs to be connected again and whose documents RO e-Factura must
// still receive — one held by its errors and past the deadline, one sent and due soon — sees the
// count beside "Alerts", the alerts with their severity and what to do, follows the deadline alert
// to the invoices due for reporting, opens the overdue document and reads why it is held, and
// follows the account's alert to its page; a tenant admin sends the alerts to the team's chat.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, logIn, screenshot, SKIP_BROWSER } from './support/browser.ts';
import { startConsoleHost, type ConsoleHost } from './support/console-host.ts';
import { addIntegration, issueInvoices } from './support/invoice-seed.ts';

interface Alert {
  id: string;
  severity: string;
  title: string;
  count: number;
}

/** A calendar day `offset` days from today in Bucharest, where e-Factura's deadlines are read. */
const day = (offset: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Bucharest' }).format(
    new Date(Date.now() + offset * 86_400_000),
  );

/** An e-Factura clearance as its plugin stores it, with a reporting deadline. */
const clearance = (status: string, due: { by: string; warnFrom: string }, errors: unknown[] = []) =>
  JSON.stringify({
    authority: 'ro-efactura',
    authorityTitle: 'RO e-Factura',
    status,
    number: null,
    errors,
    due: { ...due, timeZone: 'Europe/Bucharest' },
    updatedAt: new Date().toISOString(),
  });

describe.skipIf(SKIP_BROWSER)('console: alerts', () => {
  let host: ConsoleHost;
  let page: Page;
  let close: () => Promise<void>;
  let reauthId: string;
  let overdue: { id: string; number: string };
  let soon: { id: string; number: string };

  beforeAll(async () => {
    host = await startConsoleHost();
    const tenantId = host.tenants.acme;
    const integrationId = await addIntegration(host, { tenantId, label: 'Allegro PL' });
    reauthId = await addIntegration(host, {
      tenantId,
      label: 'Allegro second shop',
      status: 'needs_reauth',
      reason: 'Allegro no longer accepts the connection (the authorization was revoked).',
    });
    // Issued today and yesterday: recent documents, as a clearance plugin handles them.
    const ids = await issueInvoices(host, {
      tenantId,
      integrationId,
      orders: [1, 2, 3, 4, 5].map((i) => ({ i, issueDate: day(i <= 2 ? -1 : 0) })),
    });
    const number = async (id: string) =>
      (
        await host.database.db.pool.query<{ number: string }>('select number from invoices where id = $1', [
          id,
        ])
      ).rows[0]!.number;
    overdue = { id: ids[0]!, number: await number(ids[0]!) };
    soon = { id: ids[1]!, number: await number(ids[1]!) };
    const set = (id: string, value: string) =>
      host.database.db.pool.query('update invoices set clearance = $2::jsonb where id = $1', [id, value]);
    await set(
      overdue.id,
      clearance('pending', { by: day(-1), warnFrom: day(-3) }, [
        {
          location: 'Buyer county',
          message: 'The buyer’s county is missing; e-Factura needs it for Romanian addresses.',
        },
      ]),
    );
    await set(soon.id, clearance('sent', { by: day(2), warnFrom: day(-1) }));
    await set(ids[2]!, clearance('accepted', { by: day(-1), warnFrom: day(-3) }));

    const browser = await launchChromium();
    close = () => browser.close();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
    await logIn(page, host.url, host.users.seller, host.users.password);
  }, 60_000);

  afterAll(async () => {
    await close?.();
    await host?.stop();
  });

  it('counts the alerts in the navigation and lists each with its severity and what to do', async () => {
    const alerts = await page.evaluate(async () => {
      const response = await fetch('/trpc/alerts.list');
      return ((await response.json()) as { result: { data: { alerts: Alert[] } } }).result.data.alerts;
    });
    expect(alerts.map((a) => a.id).sort()).toEqual(
      [`reauth:${reauthId}`, 'overdue:ro-efactura', 'due:ro-efactura', 'held:ro-efactura'].sort(),
    );

    const nav = page.getByRole('navigation', { name: 'Main' });
    const alertsLink = nav.getByRole('link', { name: /^Alerts/ });
    await expect.poll(() => alertsLink.textContent()).toMatch(/Alerts\s*4/);
    expect(await nav.getByTestId('alert-count').textContent()).toBe('4 need you');
    await alertsLink.click();
    await page.waitForURL(`${host.url}/alerts`);
    await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();

    const list = page.getByTestId('alerts');
    const reauth = list.locator(`[data-alert="reauth:${reauthId}"]`);
    expect(await reauth.textContent()).toContain('Allegro second shop needs you to connect it again');
    expect(await reauth.textContent()).toContain('Needs you now');
    expect(await reauth.textContent()).toContain('authorization was revoked');
    const late = list.locator('[data-alert="overdue:ro-efactura"]');
    expect(await late.textContent()).toContain('1 document past the RO e-Factura deadline');
    expect(await late.textContent()).toContain('Needs you now');
    const due = list.locator('[data-alert="due:ro-efactura"]');
    expect(await due.textContent()).toContain('1 document due at RO e-Factura soon');
    expect(await due.textContent()).toContain('Keep an eye on it');
    // Errors first, then warnings.
    const order = await list
      .locator('li')
      .evaluateAll((items) => items.map((i) => i.getAttribute('data-alert')));
    expect(order.indexOf('due:ro-efactura')).toBe(order.length - 1);
    // Nothing a person has to decode: no API paths, codes or raw states.
    expect(await list.textContent()).not.toMatch(/ro-efactura|needs_reauth|\/api\/|\/trpc\//);
    await screenshot(page, 'alerts');
  });

  it('leads from the deadline alert to the documents due for reporting and explains the overdue one', async () => {
    await page.goto(`${host.url}/alerts`);
    const late = page.getByTestId('alerts').locator('[data-alert="overdue:ro-efactura"]');
    await late.getByRole('link').click();
    await page.waitForURL(`${host.url}/invoices?clearance=due`);
    expect(await page.getByLabel('Tax authority').locator('option:checked').textContent()).toBe(
      'Due for reporting (deadline near or past)',
    );
    const rows = page.getByTestId('invoice-list').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const lateRow = page.locator(`tr[data-invoice="${overdue.number}"]`);
    expect(await lateRow.textContent()).toMatch(/RO e-Factura:\s*Held, not sent/);
    expect(await lateRow.textContent()).toContain('Overdue');
    const soonRow = page.locator(`tr[data-invoice="${soon.number}"]`);
    expect(await soonRow.textContent()).toMatch(/RO e-Factura:\s*Sent, waiting for the answer/);
    expect(await soonRow.textContent()).toContain('Due soon');
    await screenshot(page, 'alerts-due-invoices');

    await lateRow.getByRole('link', { name: overdue.number, exact: true }).click();
    await page.waitForURL(`${host.url}/invoices/${overdue.id}`);
    const state = page.getByTestId('clearance');
    await state.waitFor();
    const text = (await state.textContent()) ?? '';
    expect(text).toContain(
      'Held: not sent to RO e-Factura because of the problems listed below; each says what to do.',
    );
    expect(text).toMatch(/Overdue: it had to reach RO e-Factura by .+\. Report it now\./);
    expect(text).toContain('Buyer county: The buyer’s county is missing');
    await screenshot(page, 'alerts-overdue-document');
  });

  it("leads from the account's alert to the account's page", async () => {
    await page.goto(`${host.url}/alerts`);
    await page.getByTestId('alerts').locator(`[data-alert="reauth:${reauthId}"]`).getByRole('link').click();
    await page.waitForURL(`${host.url}/settings/integrations/${reauthId}`);
  });

  it('a tenant admin sends the alerts to the team’s chat: an unsafe address refused in words, a test message delivered', async () => {
    const received: string[] = [];
    const chat = createServer((request, response) => {
      let body = '';
      request.on('data', (c: Buffer) => (body += c.toString()));
      request.on('end', () => {
        received.push(body);
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => chat.listen(0, '127.0.0.1', r));
    try {
      const chatUrl = `http://127.0.0.1:${(chat.address() as AddressInfo).port}/hooks/acme-secret-path`;
      await page.goto(`${host.url}/settings`);
      await page
        .getByRole('navigation', { name: 'Settings sections' })
        .getByRole('link', { name: 'Alerts' })
        .click();
      await page.waitForURL(`${host.url}/settings/alerts`);
      expect(await page.getByTestId('webhook-state').textContent()).toContain(
        'alerts are shown in the console only',
      );

      const field = page.getByLabel('Webhook address');
      await field.fill('http://hooks.example.com/x');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect
        .poll(() => page.locator('#webhook-url-error').textContent())
        .toContain('Use the https:// address of the webhook');

      await field.fill(chatUrl);
      await page.getByRole('button', { name: 'Save' }).click();
      await expect
        .poll(() => page.getByTestId('webhook-state').textContent())
        .toContain(`Alerts are sent to http://127.0.0.1:${(chat.address() as AddressInfo).port}/…`);
      // The saved address is never shown back, only its host.
      expect(await page.locator('main').textContent()).not.toContain('acme-secret-path');

      await page.getByRole('button', { name: 'Send a test message' }).click();
      await expect
        .poll(() => page.getByRole('status').last().textContent())
        .toContain('The test message was sent');
      expect(received.some((b) => b.includes('Test from the connector console'))).toBe(true);
      await screenshot(page, 'settings-alerts-webhook');

      await page.getByRole('button', { name: 'Stop sending alerts' }).click();
      await expect
        .poll(() => page.getByTestId('webhook-state').textContent())
        .toContain('alerts are shown in the console only');
    } finally {
      await new Promise((r) => chat.close(r));
    }
  });
});
