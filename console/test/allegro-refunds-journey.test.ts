// Allegro customer returns and payment refunds in a real browser (issue 21), against the root
// plugin registry and the Allegro sandbox: a seller connects an account through the sandbox's
// consent page; a buyer sends part of an invoiced, paid order back; the seller sees the return in
// Returns with its deadline, refunds it, and sees the invoice, the correction (its PDF) and the
// refund in the order's history. On another order the seller refunds one unit with "Refund
// payment…" (the reason chosen by its words, a line added to the form), after a refund above what
// was sold is refused in words and sends nothing to Allegro; a refund refused on a second return
// needs its reason. The console names no plugin: the manifest declares the actions.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../plugins/allegro/sandbox/index.ts';
import { sellerHeaders } from '../../plugins/allegro/test/support.ts';
import { launchChromium, logIn, screenshot, SKIP_BROWSER } from './support/browser.ts';
import { REPO_ROOT, startConsoleHost, type ConsoleHost } from './support/console-host.ts';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

interface Form {
  id: string;
  status: string;
  payment: { finishedAt?: string };
  invoice: { required: boolean };
  lineItems: { id: string; quantity: number; offer: { name: string } }[];
}
interface SandboxState {
  effects: { kind: string; target?: string }[];
}
interface RunView {
  status: string;
}

describe.skipIf(SKIP_BROWSER)('console: Allegro returns and refunds journey (Allegro sandbox)', () => {
  let host: ConsoleHost;
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  let integrationId: string;
  let forms: Form[];
  /** Invoice number of each invoiced order (its Allegro id). */
  const invoiceOf = new Map<string, string>();
  const used = new Set<string>();

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

  /** Runs a job of the integration now (the orders sync by default) and waits until all is quiet. */
  async function syncAndWait(jobId?: string) {
    const { runId } = await trpc<{ runId: string }>(
      'integrations.sync',
      { id: integrationId, ...(jobId ? { jobId } : {}) },
      'POST',
    );
    // A plain loop, not expect.poll: the first sync runs in beforeAll.
    const deadline = Date.now() + 180_000;
    for (;;) {
      const { status } = await trpc<RunView>('integrations.run', { runId }, 'GET');
      if (status === 'succeeded') break;
      if (status === 'failed' || Date.now() > deadline) throw new Error(`the run ended ${status}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    // The runs it starts (the invoice upload) and any scheduled one finish too.
    let quiet = 0;
    while (quiet < 3) {
      const runs = await trpc<RunView[]>('integrations.runs', { id: integrationId, limit: 10 }, 'GET');
      quiet = runs.some((r) => r.status === 'queued' || r.status === 'running') ? 0 : quiet + 1;
      if (Date.now() > deadline) throw new Error('the integration is still busy');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const effects = async (kind: string, target?: string) =>
    ((await (await fetch(`${sandbox.controlUrl}/state`)).json()) as SandboxState).effects.filter(
      (e) => e.kind === kind && (target === undefined || e.target === target),
    ).length;

  /** A paid, invoiced order Allegro still lets the seller refund, not used by another step. */
  const take = (minQuantity = 1): Form => {
    const form = forms.find(
      (f) =>
        f.status === 'READY_FOR_PROCESSING' &&
        f.payment.finishedAt &&
        f.invoice.required &&
        invoiceOf.has(f.id) &&
        !used.has(f.id) &&
        f.lineItems[0]!.quantity >= minQuantity,
    );
    if (!form) throw new Error('no paid invoiced order is left');
    used.add(form.id);
    return form;
  };

  const openReturn = async (checkoutFormId: string, items?: { lineItemId: string; quantity: number }[]) => {
    const opened = await fetch(`${sandbox.controlUrl}/returns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ checkoutFormId, ...(items ? { items } : {}) }),
    });
    expect(opened.status).toBe(201);
    return ((await opened.json()) as { id: string }).id;
  };

  beforeAll(async () => {
    host = await startConsoleHost({
      registryPath: join(REPO_ROOT, 'plugin.manifest.json'),
      async pluginConfig(publicUrl) {
        const redirectUri = `${publicUrl}/api/v1/allegro/auth/callback`;
        sandbox = await startSandbox({
          host: '127.0.0.1',
          port: 0,
          redirectUri,
          orders: 60,
          seed: 'refunds-journey',
          // One seller account; Allegro's file scan and refund settling, shortened for the test.
          extra: { accounts: 1, invoiceScanMs: 30, refundSettleMs: 50 },
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
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
    await logIn(page, host.url, host.users.seller, host.users.password);

    // The seller connects the account through Allegro's consent page.
    await page.waitForURL(/\/settings\/integrations$/);
    await page.getByRole('button', { name: 'Connect Allegro account' }).click();
    await page.waitForURL((url) => url.href.startsWith(sandbox.url));
    await page.locator('#approve').click();
    await page.waitForURL(/\/settings\/integrations\?connected=/);
    integrationId = new URL(page.url()).searchParams.get('connected')!;
    expect(integrationId).toBeTruthy();
    await syncAndWait();

    const headers = await sellerHeaders(sandbox, 0);
    const read = (await (
      await fetch(`${sandbox.url}/order/checkout-forms?limit=100`, { headers })
    ).json()) as { checkoutForms: Form[] };
    forms = read.checkoutForms;
    const { invoices } = await trpc<{
      invoices: { externalOrderId: string | null; number: string; type?: string }[];
    }>('invoices.list', { integrationId, limit: 200 }, 'GET');
    for (const invoice of invoices)
      if (invoice.externalOrderId && invoice.type !== 'correction')
        invoiceOf.set(invoice.externalOrderId, invoice.number);
    // Orders some buyer already sent back (the sandbox seeds a few returns) are left alone.
    await syncAndWait('sync-returns');
    const seeded = await trpc<{ items: { orderId: string }[] }>(
      'integrations.action',
      { id: integrationId, action: 'list-returns', input: {} },
      'POST',
    );
    for (const item of seeded.items) used.add(item.orderId);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await sandbox?.close();
  });

  it('refunds a customer return from Returns and shows invoice, correction and refund as one history', async () => {
    const form = take();
    const item = form.lineItems.at(-1)!;
    const returnId = await openReturn(form.id, [{ lineItemId: item.id, quantity: 1 }]);
    // "Sync customer returns" now (it also runs every 15 minutes).
    await syncAndWait('sync-returns');

    await page.goto(`${host.url}/returns`);
    const row = page.locator(`tr[data-return="${returnId}"]`);
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('13 days left');
    expect(await row.textContent()).toContain(item.offer.name);
    await screenshot(page, 'allegro-return-new');

    const before = await effects('refund.created', form.id);
    await row.getByRole('button', { name: `Refund return ${returnId}`, exact: true }).click();
    const done = page.getByRole('status').filter({ hasText: `Refund: done for return ${returnId}` });
    await done.waitFor({ timeout: 60_000 });
    const text = (await done.textContent()) ?? '';
    expect(text).toMatch(/Correction \S+ was issued for order/);
    const correction = /Correction (\S+) was issued/.exec(text)![1]!;
    expect(await effects('refund.created', form.id)).toBe(before + 1);
    await screenshot(page, 'allegro-return-refunded');

    // The order's page: the invoice, its correction (with a PDF) and the refund, as one history.
    const orderLink = row.getByRole('link', { name: form.id, exact: true });
    expect(await orderLink.getAttribute('href')).toBe(`/orders/${integrationId}/${form.id}`);
    await orderLink.click();
    await page.getByRole('heading', { name: `Order ${form.id}` }).waitFor();
    const history = page.getByTestId('order-history');
    await history.waitFor();
    await expect
      .poll(() => history.textContent())
      .toMatch(
        new RegExp(
          `Invoice ${invoiceOf.get(form.id)!.replaceAll('/', '\\/')}.*Correction ${correction.replaceAll('/', '\\/')}`,
          's',
        ),
      );
    await expect.poll(() => history.locator('li[data-kind="refund"]').count()).toBe(1);
    // The return refunded (the order may hold an older return of the buyer's too).
    await expect
      .poll(() => history.locator('li[data-kind="return"]').filter({ hasText: returnId }).textContent())
      .toContain('Refunded');
    expect(await history.locator('li[data-kind="return"]').count()).toBe(1);
    await screenshot(page, 'allegro-return-order-history');
    const link = history.getByRole('link', { name: `PDF of ${correction}` });
    const pdf = await page.request.get(`${host.url}${await link.getAttribute('href')}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toContain('application/pdf');
  }, 300_000);

  it('refunds one unit with "Refund payment…", after a refund above what was sold is refused in words', async () => {
    const form = take();
    const sold = form.lineItems[0]!.quantity;
    await page.goto(`${host.url}/orders/${integrationId}/${form.id}`);
    await page.getByRole('heading', { name: `Order ${form.id}` }).waitFor();
    const history = page.getByTestId('order-history');
    await expect.poll(() => history.textContent()).toContain(`Invoice ${invoiceOf.get(form.id)!}`);

    await page.getByRole('button', { name: `Refund payment… order ${form.id}` }).click();
    const dialog = page.getByRole('dialog', { name: `Refund payment — order ${form.id}` });
    await dialog.waitFor();
    // The reason in words, Allegro's code behind it.
    const reason = dialog.getByLabel(/^Reason/);
    await expect
      .poll(() => reason.locator('option:checked').textContent())
      .toBe('Refund (withdrawal or return)');
    await dialog.getByRole('button', { name: 'Add item' }).click();
    await dialog.getByLabel(/^Order line/).fill('1');
    await dialog.getByLabel(/^Units/).fill(String(sold + 1));
    await screenshot(page, 'allegro-refund-form');

    // More units than were sold: the plugin's rule in words; nothing reaches Allegro.
    const before = await effects('refund.created');
    await dialog.getByRole('button', { name: 'Refund payment', exact: true }).click();
    const refusal = dialog.getByRole('alert').filter({ hasText: 'cannot be refunded' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(
      new RegExp(`${sold + 1} × .* cannot be refunded: the order sold ${sold}`),
    );
    await screenshot(page, 'allegro-refund-refused');
    expect(await effects('refund.created')).toBe(before);

    await dialog.getByLabel(/^Units/).fill('1');
    await dialog.getByRole('button', { name: 'Refund payment', exact: true }).click();
    const done = page.getByRole('status').filter({ hasText: `Refund payment: done for order ${form.id}` });
    await done.waitFor({ timeout: 60_000 });
    const text = (await done.textContent()) ?? '';
    expect(text).toMatch(/Correction \S+ was issued/);
    const correction = /Correction (\S+) was issued/.exec(text)![1]!;
    expect(await effects('refund.created')).toBe(before + 1);
    expect(await effects('refund.created', form.id)).toBe(1);
    await expect.poll(() => history.textContent()).toContain(`Correction ${correction}`);
    await expect.poll(() => history.locator('li[data-kind="refund"]').count()).toBe(1);
    await screenshot(page, 'allegro-refund-done');
  }, 180_000);

  it('refuses a return’s refund only with a reason the buyer reads', async () => {
    const form = take();
    const returnId = await openReturn(form.id);
    await syncAndWait('sync-returns');
    await page.goto(`${host.url}/returns`);
    const row = page.locator(`tr[data-return="${returnId}"]`);
    await row.waitFor();

    await row.getByRole('button', { name: `Refuse refund… return ${returnId}` }).click();
    const dialog = page.getByRole('dialog', { name: `Refuse refund — return ${returnId}` });
    await dialog.waitFor();
    await dialog.getByLabel('Why').selectOption({ label: 'Refund refused (say why)' });
    await dialog.getByRole('button', { name: 'Refuse refund', exact: true }).click();
    const refusal = dialog.getByRole('alert').filter({ hasText: 'Say why' });
    await refusal.waitFor();
    await screenshot(page, 'allegro-reject-unsaid');
    expect(await effects('return.rejected', returnId)).toBe(0);

    await dialog.getByLabel(/^Reason the buyer reads/).fill('Returned after 30 days.');
    await dialog.getByRole('button', { name: 'Refuse refund', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Refuse refund: done for return ${returnId}` })
      .waitFor({ timeout: 60_000 });
    expect(await effects('return.rejected', returnId)).toBe(1);
    expect(await effects('refund.created', form.id)).toBe(0);
    await expect.poll(() => row.textContent()).toMatch(/Rejected|Refused/i);
    await screenshot(page, 'allegro-return-rejected');
  }, 180_000);
});
