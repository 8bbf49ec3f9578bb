// An order's page in a real browser (issue 21), against the root plugin registry and the eMAG
// sandbox: a seller opens an invoiced order from the integration's "Open an order" box, sees its
// invoice in the order's history, tries to cancel it with the form left empty (refused in words,
// nothing sent), then cancels it with a reason chosen by its words, and sees the correction and its
// PDF in the history. The console names no plugin: the manifest declares the action, its input
// form (JSON Schema, enum words from `x-ui`) and the statuses that allow it.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { credentials } from '../../plugins/emag/test/support.ts';
import { screenshot, SKIP_BROWSER } from './support/browser.ts';
import type { ConsoleHost } from './support/console-host.ts';
import { startEmagJourney, type EmagJourney } from './support/emag-journey.ts';

interface SandboxOrder {
  id: number;
  status: number;
}

interface SandboxState {
  effects: { kind: string; target?: string }[];
}

describe.skipIf(SKIP_BROWSER)("console: an order's page (eMAG sandbox)", () => {
  let host: ConsoleHost;
  let sandbox: RunningSandbox;
  let page: Page;
  const email = 'seller@comanda.test';

  let journey: EmagJourney;
  const trpc = <T>(path: string, input: unknown, method: 'GET' | 'POST') =>
    journey.trpc<T>(path, input, method);
  const cancellations = async (orderId: string) =>
    ((await (await fetch(`${sandbox.controlUrl}/state`)).json()) as SandboxState).effects.filter(
      (e) => e.kind === 'order.cancelled' && e.target === orderId,
    ).length;

  beforeAll(async () => {
    journey = await startEmagJourney({
      sandbox: { orders: 60, seed: 'orders' },
      tenant: 'Comanda',
      email,
      viewport: { width: 1400, height: 900 },
    });
    ({ host, sandbox, page } = journey);
  }, 120_000);

  afterAll(async () => {
    await journey?.stop();
  });

  it('opens an invoiced order, refuses an empty cancellation, cancels it and shows the correction', async () => {
    const { id } = await trpc<{ id: string }>(
      'integrations.create',
      { pluginId: 'emag', label: 'eMAG RO', settings: credentials('ro-main') },
      'POST',
    );
    const { runId } = await trpc<{ runId: string }>('integrations.sync', { id }, 'POST');
    await expect
      .poll(async () => (await trpc<{ status: string }>('integrations.run', { runId }, 'GET')).status, {
        timeout: 180_000,
        interval: 500,
      })
      .toBe('succeeded');
    const invoices = await trpc<{ invoices: { externalOrderId: string; number: string }[] }>(
      'invoices.list',
      { integrationId: id, limit: 200 },
      'GET',
    );
    // An invoiced order eMAG still lets the seller cancel (in progress or prepared).
    let target: { orderId: string; invoice: string } | undefined;
    for (const invoice of invoices.invoices) {
      const order = (await (
        await fetch(`${sandbox.url}/__sandbox/orders/ro-main/${invoice.externalOrderId}`)
      ).json()) as SandboxOrder;
      if (order.status === 2 || order.status === 3) {
        target = { orderId: String(order.id), invoice: invoice.number };
        break;
      }
    }
    expect(target, 'an invoiced order in progress or prepared').toBeDefined();
    const { orderId, invoice } = target!;

    // The integration's page offers to open an order by its id (the plugin has order actions).
    await page.goto(`${host.url}/settings/integrations/${id}`);
    const box = page.getByRole('region', { name: 'Open an order' });
    await box.getByLabel('Order id').fill(orderId);
    await box.getByRole('button', { name: 'Open order' }).click();
    await page.waitForURL(`${host.url}/orders/${id}/${orderId}`);
    await page.getByRole('heading', { name: `Order ${orderId}` }).waitFor();

    const history = page.getByTestId('order-history');
    await history.waitFor();
    await expect.poll(() => history.textContent()).toContain(`Invoice ${invoice}`);
    expect(await history.locator('li[data-kind="correction"]').count()).toBe(0);
    // Prices with their currency: eMAG's order states none, the platform's is meant.
    expect(await page.locator('main').textContent()).toMatch(/at RON \d+(\.\d+)? \(net\)/);
    await screenshot(page, 'order-invoiced');

    // The cancellation needs a reason: the action opens its form. Left empty, it is refused in
    // words and nothing is sent, to the host or to eMAG.
    const sent: string[] = [];
    page.on('request', (request) => {
      const body = request.postData() ?? '';
      if (request.url().includes('integrations.action') && body.includes('"cancel-order"')) sent.push(body);
    });
    await page.getByRole('button', { name: `Cancel order… order ${orderId}` }).click();
    const dialog = page.getByRole('dialog', { name: `Cancel order — order ${orderId}` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel order', exact: true }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/Cancellation reason: is required/);
    await screenshot(page, 'order-cancel-empty');
    expect(sent).toEqual([]);
    expect(await cancellations(orderId)).toBe(0);

    // The reason chosen by its words, not eMAG's code.
    await dialog.getByLabel('Cancellation reason').selectOption({ label: 'Cancelled by the client' });
    await dialog.getByRole('button', { name: 'Cancel order', exact: true }).click();
    const done = page.getByRole('status').filter({ hasText: `Cancel order: done for order ${orderId}` });
    await done.waitFor({ timeout: 60_000 });
    expect(await done.textContent()).toMatch(/Correction FK\/\d{4}\/\d+ was issued/);
    const correction = /Correction (FK\/\d{4}\/\d+)/.exec((await done.textContent()) ?? '')![1]!;
    expect(await dialog.isVisible()).toBe(false);
    expect(sent).toHaveLength(1);
    expect(await cancellations(orderId)).toBe(1);

    // The history shows what changed: the invoice, then its correction with its PDF.
    await expect
      .poll(() => history.textContent())
      .toMatch(new RegExp(`Invoice ${invoice}.*Correction ${correction}`, 's'));
    await screenshot(page, 'order-cancelled');
    const link = history.getByRole('link', { name: `PDF of ${correction}` });
    const pdf = await page.request.get(`${host.url}${await link.getAttribute('href')}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toContain('application/pdf');
    // eMAG now reads the order as cancelled: the page offers no cancellation any more.
    await expect
      .poll(() => page.getByRole('button', { name: `Cancel order… order ${orderId}` }).count())
      .toBe(0);
  }, 420_000);
});
