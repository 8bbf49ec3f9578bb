// Returns in a real browser (issue 21), against the root plugin registry and the eMAG sandbox: a
// customer opens a return on an invoiced order, the seller sees it in Returns with its deadline
// and the moves eMAG allows now, approves, receives and finalises it, and sees the correction and
// its PDF in the order's history. The console names no plugin: the manifest declares the actions.
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
  products: { id: number; status: number; quantity: number }[];
}

describe.skipIf(SKIP_BROWSER)('console: returns journey (eMAG sandbox)', () => {
  let host: ConsoleHost;
  let sandbox: RunningSandbox;
  let page: Page;
  const email = 'seller@magazin.test';

  let journey: EmagJourney;
  const trpc = <T>(path: string, input: unknown, method: 'GET' | 'POST') =>
    journey.trpc<T>(path, input, method);

  beforeAll(async () => {
    journey = await startEmagJourney({
      sandbox: { orders: 60, seed: 'returns', extra: { now: '2026-11-20T12:00:00Z' } },
      tenant: 'Magazin',
      email,
      viewport: { width: 1400, height: 900 },
    });
    ({ host, sandbox, page } = journey);
  }, 120_000);

  afterAll(async () => {
    await journey?.stop();
  });

  it('shows a new return, approves, receives and finalises it, then the correction and its PDF', async () => {
    const { id } = await trpc<{ id: string }>(
      'integrations.create',
      { pluginId: 'emag', label: 'eMAG RO', settings: credentials('ro-main') },
      'POST',
    );
    const waitRun = async (jobId?: string) => {
      const { runId } = await trpc<{ runId: string }>(
        'integrations.sync',
        { id, ...(jobId ? { jobId } : {}) },
        'POST',
      );
      await expect
        .poll(async () => (await trpc<{ status: string }>('integrations.run', { runId }, 'GET')).status, {
          timeout: 180_000,
          interval: 500,
        })
        .toBe('succeeded');
    };
    await waitRun();
    const invoices = await trpc<{ invoices: { externalOrderId: string }[] }>(
      'invoices.list',
      { integrationId: id, limit: 200 },
      'GET',
    );
    // A delivered, invoiced order: the customer returns one unit of its first product.
    let target: SandboxOrder | undefined;
    for (const invoice of invoices.invoices) {
      const order = (await (
        await fetch(`${sandbox.url}/__sandbox/orders/ro-main/${invoice.externalOrderId}`)
      ).json()) as SandboxOrder;
      if (order.status === 4) {
        target = order;
        break;
      }
    }
    expect(target, 'an invoiced delivered order').toBeDefined();
    const product = target!.products.find((p) => p.status === 1)!;
    const opened = await fetch(`${sandbox.url}/__sandbox/returns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: target!.id, products: [{ id: product.id, quantity: 1 }] }),
    });
    expect(opened.status).toBe(201);
    const { emagId } = (await opened.json()) as { emagId: number };
    await waitRun('sync-returns');

    await page.goto(`${host.url}/returns`);
    const row = page.locator(`tr[data-return="${emagId}"]`);
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('New');
    await expect.poll(() => row.textContent()).toMatch(/days? left/);
    await screenshot(page, 'returns-new');
    // Only what eMAG allows from "new": approve or cancel; not receive or finalise yet.
    expect(await row.getByRole('button', { name: /^Finalise/ }).count()).toBe(0);
    await row.getByRole('button', { name: `Approve return ${emagId}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Approve: done for return ${emagId}` })
      .waitFor();
    await row.getByRole('button', { name: `Mark received return ${emagId}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Mark received: done for return ${emagId}` })
      .waitFor();
    await row.getByRole('button', { name: `Finalise return ${emagId}` }).click();
    const done = page.getByRole('status').filter({ hasText: 'was issued for order' });
    await done.waitFor();
    expect(await done.textContent()).toMatch(/Correction FK\/\d{4}\/\d+ was issued/);

    const history = page.getByTestId('order-history');
    await history.waitFor();
    await expect.poll(() => history.textContent()).toMatch(/Invoice\s+FV.*Correction\s+FK\//s);
    await screenshot(page, 'returns-finalised');
    const link = history.getByRole('link', { name: /PDF of FK\// });
    const href = await link.getAttribute('href');
    const pdf = await page.request.get(`${host.url}${href}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toContain('application/pdf');
    await expect.poll(() => row.textContent()).toContain('Finalized');

    // The order id opens the order's page: its invoice, the return and the correction as one history.
    const orderLink = row.getByRole('link', { name: String(target!.id), exact: true });
    expect(await orderLink.getAttribute('href')).toBe(`/orders/${id}/${target!.id}`);
    await orderLink.click();
    await page.getByRole('heading', { name: `Order ${target!.id}` }).waitFor();
    const orderHistory = page.getByTestId('order-history');
    await orderHistory.waitFor();
    await expect.poll(() => orderHistory.textContent()).toMatch(/Invoice FV.*Correction FK\//s);
    expect(await orderHistory.textContent()).toContain(`Return ${emagId}: Finalized`);
    await screenshot(page, 'returns-order-page');
  }, 420_000);
});
