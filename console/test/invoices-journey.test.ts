// The invoice workspace in a real browser (issue 13): a seller with 10 000 invoices over three months
// opens "Invoices" from the navigation, pages through them, finds one invoice by its buyer's name,
// narrows the list to October (the search lives in the URL), exports that month as CSV and checks
// its rows, then opens the invoice's page and follows the link to its correction and back.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, logIn, screenshot, SKIP_BROWSER } from './support/browser.ts';
import { startConsoleHost, type ConsoleHost } from './support/console-host.ts';
import { addIntegration, issueInvoices, type SeedOrder } from './support/invoice-seed.ts';

interface Listed {
  id: string;
  number: string;
  type: string;
  issueDate: string;
  totalGross: string;
  buyerName: string | null;
}

const BUYER = { firstName: 'Zofia', lastName: 'Wiśniewska-Nowak' };
const MONTHS = ['2026-09', '2026-10', '2026-11'] as const;
/** The one order of Zofia Wiśniewska-Nowak among them. */
const MINE = 7777;
const MINE_ORDER = '00000000-0000-4000-8000-000000007777';

/** 10 000 orders over September to November, in date order (numbers follow issue dates). */
const ORDERS: SeedOrder[] = Array.from({ length: 10_000 }, (_, n) => {
  const i = n + 1;
  const month = MONTHS[i % 3]!;
  return {
    i,
    issueDate: `${month}-${String(1 + (i % 28)).padStart(2, '0')}`,
    ...(i === MINE ? { buyer: BUYER } : {}),
  };
}).sort((a, b) => a.issueDate.localeCompare(b.issueDate) || a.i - b.i);
/** The documents: every order's invoice and one correction. */
const DOCUMENTS = (ORDERS.length + 1).toLocaleString('en-US');

/** A decimal string as en-US groups it ("1234.5" → "1,234.5"), without going through a float. */
const grouped = (amount: string) => {
  const [whole, fraction] = amount.split('.');
  return `${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction ? `.${fraction}` : ''}`;
};

/** A CSV file's rows as objects by header (quoted fields, doubled quotes). */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  for (let n = 0; n < text.length; n++) {
    const c = text[n]!;
    if (quoted) {
      if (c === '"' && text[n + 1] === '"') {
        field += '"';
        n++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[n + 1] === '\n') n++;
      endRow();
    } else field += c;
  }
  if (field || row.length) endRow();
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header!.map((name, k) => [name, r[k] ?? ''])));
}

describe.skipIf(SKIP_BROWSER)('console: the invoice workspace', () => {
  let host: ConsoleHost;
  let page: Page;
  let close: () => Promise<void>;
  let integrationId: string;
  let invoice: Listed;
  let correction: { id: string; number: string };

  beforeAll(async () => {
    host = await startConsoleHost();
    integrationId = await addIntegration(host, { tenantId: host.tenants.acme, label: 'Allegro PL' });
    const ids = await issueInvoices(host, { tenantId: host.tenants.acme, integrationId, orders: ORDERS });
    const browser = await launchChromium();
    close = () => browser.close();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
    await logIn(page, host.url, host.users.seller, host.users.password);

    // The buyer's invoice, and a correction of it (a return) issued through the REST API.
    const mine = ids[ORDERS.findIndex((o) => o.i === MINE)]!;
    const rest = <T>(path: string, body?: unknown) =>
      page.evaluate(
        async ({ path, body }) => {
          const response = await fetch(path, {
            method: body === undefined ? 'GET' : 'POST',
            headers: { 'content-type': 'application/json' },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
          return { status: response.status, body: (await response.json()) as unknown };
        },
        { path, body },
      ) as Promise<{ status: number; body: T }>;
    invoice = (await rest<Listed>(`/api/v1/invoices/${mine}`)).body;
    const issued = await rest<{ id: string; number: string }>(`/api/v1/invoices/${mine}/corrections`, {
      key: 'journey-return',
      kind: 'return',
      reason: 'The buyer sent the products back',
      lines: [{ position: 1, quantity: 1 }],
    });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    correction = { id: issued.body.id, number: issued.body.number };
  }, 120_000);

  afterAll(async () => {
    await close?.();
    await host?.stop();
  });

  it('pages through the invoices and finds one by its buyer', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Invoices' }).click();
    await page.waitForURL(`${host.url}/invoices`);
    const count = page.getByTestId('invoice-count');
    await expect.poll(() => count.textContent()).toBe(`${DOCUMENTS} documents.`);
    const pages = page.getByRole('navigation', { name: 'Pagination' });
    expect(await pages.textContent()).toContain(`Page 1 of 201 · ${DOCUMENTS} in total`);
    await pages.getByRole('button', { name: 'Next' }).click();
    await page.waitForURL(/offset=50/);
    await expect.poll(() => pages.textContent()).toContain('Page 2 of 201');

    await page.getByRole('searchbox', { name: 'Search' }).fill('wiśniewska');
    await page.waitForURL(/q=wi%C5%9Bniewska/);
    await expect.poll(() => count.textContent()).toMatch(/2 documents match this search/);
    // A new search starts again from its first page.
    expect(page.url()).not.toContain('offset=');
    const rows = page.getByTestId('invoice-list').locator('tbody tr');
    expect(await rows.count()).toBe(2);
    const row = rows.filter({ has: page.getByRole('link', { name: invoice.number, exact: true }) });
    expect(await row.textContent()).toContain('Zofia Wiśniewska-Nowak');
    // The exact amount, every decimal kept.
    expect(await row.locator('td.amount').textContent()).toContain(grouped(invoice.totalGross));
    const order = row.getByRole('link', { name: MINE_ORDER });
    expect(await order.getAttribute('href')).toBe(`/orders/${integrationId}/${MINE_ORDER}`);
    expect(await rows.filter({ hasText: 'Correction' }).textContent()).toContain(correction.number);
    await screenshot(page, 'invoices-search');

    // Cleared and sorted by total: the highest amounts first, the box empty again.
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => count.textContent()).toBe(`${DOCUMENTS} documents.`);
    expect(await page.getByRole('searchbox', { name: 'Search' }).inputValue()).toBe('');
    await page.getByLabel('Sort by').selectOption({ label: 'Total, highest first' });
    await page.waitForURL(/sort=-total/);
    const amounts = async () =>
      (await rows.locator('td.amount').allTextContents()).map((t) => t.replace(/[^\d.-]/g, ''));
    const descending = (shown: number[]) => shown.every((v, k) => k === 0 || shown[k - 1]! >= v);
    await expect.poll(async () => descending((await amounts()).map(Number))).toBe(true);
    expect(await amounts()).toHaveLength(50);
  });

  it('narrows the list to one month, linkably, and exports it as CSV', async () => {
    await page.goto(`${host.url}/invoices`);
    await page.getByLabel('Issued from').fill('2026-10-01');
    await page.waitForURL(/from=2026-10-01/);
    await page.getByLabel('Issued until').fill('2026-10-31');
    await page.waitForURL(/to=2026-10-31/);
    const october = ORDERS.filter((o) => o.issueDate.startsWith('2026-10'));
    const count = page.getByTestId('invoice-count');
    const matching = `${october.length.toLocaleString('en-US')} documents match this search`;
    await expect.poll(() => count.textContent()).toContain(matching);

    // The URL is the view: opened afresh, it shows the same month.
    const link = page.url();
    await page.goto(link);
    await expect.poll(() => count.textContent()).toContain(matching);
    expect(await page.getByLabel('Issued from').inputValue()).toBe('2026-10-01');

    const exportLink = page.getByRole('link', { name: 'Export CSV' });
    expect(await exportLink.getAttribute('href')).toBe('/api/v1/invoices.csv?from=2026-10-01&to=2026-10-31');
    const [download] = await Promise.all([page.waitForEvent('download'), exportLink.click()]);
    const rows = parseCsv(readFileSync(await download.path(), 'utf8'));
    expect(rows).toHaveLength(october.length);
    expect(rows.every((r) => r.issue_date!.startsWith('2026-10-'))).toBe(true);
    expect(new Set(rows.map((r) => r.type))).toEqual(new Set(['invoice']));
    expect(rows.every((r) => /^\d+\.\d{2}$/.test(r.total_gross!))).toBe(true);
    expect(rows.filter((r) => r.number === invoice.number)).toHaveLength(
      invoice.issueDate.startsWith('2026-10') ? 1 : 0,
    );
    await screenshot(page, 'invoices-october');
  });

  it("opens the invoice's page and follows the link to its correction and back", async () => {
    await page.goto(`${host.url}/invoices?q=${encodeURIComponent(invoice.number)}`);
    await page.getByTestId('invoice-list').getByRole('link', { name: invoice.number, exact: true }).click();
    await page.waitForURL(`${host.url}/invoices/${invoice.id}`);
    await page.getByRole('heading', { name: `Invoice ${invoice.number}` }).waitFor();
    const buyer = page.getByRole('region', { name: 'Buyer' });
    expect(await buyer.textContent()).toContain('Zofia Wiśniewska-Nowak');
    expect(await page.getByTestId('document-lines').locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('document-totals').textContent()).toContain(grouped(invoice.totalGross));
    expect(await page.getByTestId('clearance').textContent()).toContain('Not sent to a tax authority');
    const links = page.getByTestId('document-links');
    expect(await links.getByRole('link', { name: MINE_ORDER }).count()).toBe(1);
    await screenshot(page, 'invoice-document');

    await links.getByRole('link', { name: `correction ${correction.number}` }).click();
    await page.waitForURL(`${host.url}/invoices/${correction.id}`);
    await page.getByRole('heading', { name: `Correction ${correction.number}` }).waitFor();
    const back = page.getByTestId('document-links');
    expect(await back.textContent()).toContain('Products returned: The buyer sent the products back');
    await back.getByRole('link', { name: `invoice ${invoice.number}` }).click();
    await page.waitForURL(`${host.url}/invoices/${invoice.id}`);
    await page.getByRole('heading', { name: `Invoice ${invoice.number}` }).waitFor();
  });
});
