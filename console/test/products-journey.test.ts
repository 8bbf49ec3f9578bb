// Products in a real browser (issue 15), against the root plugin registry and the eMAG sandbox: a
// tenant admin sees the products made from the account's eMAG offers, searches them by SKU, EAN and
// name, edits one product's stock and price inline and watches its offer go from waiting to
// updated with the values eMAG now holds, bulk-edits the stock of selected products, tries a price
// outside the offer's min/max (refused before sending, the bounds named on the product), and sees
// eMAG's own per-offer refusal on the product whose offer eMAG rejects.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { findAccount } from '../../plugins/emag/sandbox/accounts.ts';
import { baseOfferState, catalogOf, type CatalogItem } from '../../plugins/emag/sandbox/catalog.ts';
import { fmt4 } from '../../plugins/emag/sandbox/money.ts';
import { credentials, sandboxState, setFaults } from '../../plugins/emag/test/support.ts';
import { screenshot, SKIP_BROWSER } from './support/browser.ts';
import { startEmagJourney, type EmagJourney } from './support/emag-journey.ts';

const SEED = 'products-journey';
const NOW = '2026-11-20T12:00:00Z';
const OFFERS = 24;
const ACCOUNT = 'ro-main';

/** What the sandbox's control route shows of an offer changed by saves (`GET /__sandbox/offers/:account`). */
interface SandboxOffer {
  id: number;
  saves: number;
  sale_price: string;
  status: number;
  stock: Record<string, number>;
}

describe.skipIf(SKIP_BROWSER)('console: products journey (eMAG sandbox)', () => {
  let sandbox: RunningSandbox;
  let page: Page;
  const email = 'seller@produse.test';
  const account = findAccount(ACCOUNT)!;
  // The seeded offers as eMAG holds them before any save: the truth the page is checked against.
  const catalog = catalogOf(SEED, account, OFFERS);
  const item = (id: number): CatalogItem => catalog.find((c) => c.id === id)!;
  const seeded = (id: number) => baseOfferState(item(id), account, Date.parse(NOW));

  let journey: EmagJourney;
  const trpc = <T>(path: string, input: unknown, method: 'GET' | 'POST') =>
    journey.trpc<T>(path, input, method);

  /** The offers eMAG holds changed by saves (or the portal), by id. */
  const sandboxOffers = async (): Promise<Map<number, SandboxOffer>> => {
    const response = await fetch(`${sandbox.controlUrl}/offers/${ACCOUNT}`);
    const body = (await response.json()) as { offers: SandboxOffer[] };
    return new Map(body.offers.map((o) => [o.id, o]));
  };

  /**
   * Runs `action` and waits for the product list it loads to arrive (typing a search loads as it
   * changes; submitting it loads again).
   */
  const loaded = async (action: () => Promise<void>) => {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/trpc/products.list')),
      action(),
    ]);
    await response.finished();
  };
  const reload = () => loaded(() => page.getByRole('button', { name: 'Search', exact: true }).click());
  const search = async (text: string) => {
    await loaded(() => page.getByRole('searchbox').fill(text));
    await reload();
  };
  /** "24 product(s)": how many products the search found. */
  const count = (): Locator => page.getByText(/^\d+ product\(s\)$/);
  /** A product's row, by its (exact) name. */
  const row = (name: string): Locator =>
    page
      .locator('tbody tr')
      .filter({ has: page.getByRole('checkbox', { name: `Select ${name}`, exact: true }) });
  /** One offer's line in a product's row: "emag 1001: <state> (accepted price … to …)". */
  const offerLine = (name: string, id: number): Locator =>
    row(name)
      .getByRole('listitem')
      .filter({ hasText: `emag ${id}:` });
  const text = async (locator: Locator) => (await locator.textContent())?.replace(/\s+/g, ' ').trim();
  /** Reloads the list with the current search until `locator`'s text matches. */
  const reloadUntil = async (locator: Locator, pattern: RegExp) =>
    expect
      .poll(
        async () => {
          await reload();
          return text(locator);
        },
        { timeout: 20_000, interval: 300 },
      )
      .toMatch(pattern);

  beforeAll(async () => {
    journey = await startEmagJourney({
      sandbox: { orders: 5, seed: SEED, extra: { now: NOW, offers: OFFERS } },
      tenant: 'Produse',
      email,
      viewport: { width: 1600, height: 1000 },
    });
    ({ sandbox, page } = journey);
  }, 120_000);

  afterAll(async () => {
    await journey?.stop();
  });

  it('lists, searches, edits inline and in bulk, and shows refused prices and eMAG errors', async () => {
    // The eMAG account connected, and its offers read (products made from them).
    const { id } = await trpc<{ id: string }>(
      'integrations.create',
      {
        pluginId: 'emag',
        label: 'eMAG RO',
        settings: credentials(ACCOUNT),
      },
      'POST',
    );
    const { runId } = await trpc<{ runId: string }>(
      'integrations.sync',
      { id, jobId: 'sync-offers' },
      'POST',
    );
    await expect
      .poll(async () => (await trpc<{ status: string }>('integrations.run', { runId }, 'GET')).status, {
        timeout: 30_000,
        interval: 250,
      })
      .toBe('succeeded');

    // Products, from the header: every offer became a product, linked and in step. (The account's
    // orders, read by the scheduled orders job, made products too, some of items without an offer:
    // the filter keeps the ones linked to an offer.)
    await page.getByRole('link', { name: 'Products' }).click();
    await page.getByRole('heading', { name: 'Products' }).waitFor();
    await loaded(async () => {
      await page.getByLabel('Offers').selectOption({ label: 'With a linked offer' });
    });
    await reload();
    await expect.poll(() => text(count())).toBe(`${OFFERS} product(s)`);
    const laptop = item(1001);
    const laptopState = seeded(1001);
    const laptopMin = fmt4(laptopState.minPrice);
    const laptopMax = fmt4(laptopState.maxPrice);
    expect(await text(offerLine(laptop.name, 1001))).toBe(
      `emag 1001: In step (accepted price ${laptopMin} to ${laptopMax})`,
    );
    expect(await row(laptop.name).getByLabel('SKU').inputValue()).toBe(laptop.partNumber);
    expect(await row(laptop.name).getByLabel('Stock').inputValue()).toBe(String(laptop.stock));
    expect(Number(await row(laptop.name).getByLabel('Price').inputValue())).toBe(
      Number(fmt4(laptopState.salePrice)),
    );
    await screenshot(page, 'products-list');

    // Search by SKU (part number), EAN and name.
    const espresso = item(1004);
    await search(espresso.partNumber);
    await expect.poll(() => text(count())).toBe('1 product(s)');
    await row(espresso.name).waitFor();
    const tv = item(1005);
    await search(tv.ean);
    await expect.poll(() => text(count())).toBe('1 product(s)');
    await row(tv.name).waitFor();
    await search('Galaxy A55');
    await expect.poll(() => text(count())).toBe('2 product(s)');
    await row(item(1000).name).waitFor();
    await row(item(1012).name).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(2);

    // Inline: the laptop's stock and price. eMAG is slowed down on saves so the page, reloaded
    // right after saving, shows the offer waiting; then updated, with what eMAG holds.
    const newStock = 321;
    const newPrice = ((Number(laptopMin) + Number(laptopMax)) / 2).toFixed(2);
    await search(laptop.partNumber);
    await expect.poll(() => text(count())).toBe('1 product(s)');
    await setFaults(sandbox, { latencyMs: 2_000, routes: [`/ro/api-3/offer/save`] });
    await row(laptop.name).getByLabel('Stock').fill(String(newStock));
    await row(laptop.name).getByLabel('Price').fill(newPrice);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Saved 1 product(s); their offers are being updated.' })
      .waitFor();
    expect(await text(offerLine(laptop.name, 1001))).toMatch(/^emag 1001: Waiting to be updated /);
    await screenshot(page, 'products-pending');
    await setFaults(sandbox, { latencyMs: 0, routes: [] });
    // The page reads the list again by itself while an offer waits, and shows what was sent.
    await expect
      .poll(() => text(offerLine(laptop.name, 1001)), { timeout: 20_000, interval: 200 })
      .toMatch(
        new RegExp(
          `^emag 1001: Updated \\d.* \\(sent stock ${newStock}, price ${Number(newPrice).toFixed(4)}\\)`,
        ),
      );
    const laptopOnEmag = (await sandboxOffers()).get(1001);
    expect(laptopOnEmag).toMatchObject({ saves: 1, sale_price: Number(newPrice).toFixed(4) });
    expect(laptopOnEmag?.stock['1']).toBe(newStock);
    expect(await row(laptop.name).getByLabel('Stock').inputValue()).toBe(String(newStock));
    expect(Number(await row(laptop.name).getByLabel('Price').inputValue())).toBe(Number(newPrice));
    await screenshot(page, 'products-pushed');

    // An edit not yet saved survives the list being read again; an emptied stock is refused in words.
    await row(laptop.name).getByLabel('Stock').fill('55');
    await reload();
    expect(await row(laptop.name).getByLabel('Stock').inputValue()).toBe('55');
    await row(laptop.name).getByLabel('Stock').fill('');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect
      .poll(() => text(page.getByRole('alert')))
      .toBe(`Not saved: the stock of “${laptop.name}” is empty. Enter a number (0 or more).`);
    expect((await sandboxOffers()).get(1001)?.stock['1']).toBe(newStock);
    await row(laptop.name).getByLabel('Stock').fill(String(newStock));

    // Bulk: three selected products get the same stock; the one not selected keeps its own.
    const bulkStock = 277;
    const picked = [item(1000), item(1002), item(1003)];
    const notPicked = item(1012);
    await search('');
    await expect.poll(() => text(count())).toBe(`${OFFERS} product(s)`);
    for (const p of picked)
      await page.getByRole('checkbox', { name: `Select ${p.name}`, exact: true }).check();
    const bulk = page.getByRole('group', { name: 'Change the selected products' });
    await bulk.getByLabel('Stock').fill(String(bulkStock));
    await bulk.getByRole('button', { name: 'Apply to selected' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Updated 3 selected product(s); their offers are being updated.' })
      .waitFor();
    for (const p of picked)
      await reloadUntil(offerLine(p.name, p.id), new RegExp(`^emag ${p.id}: Updated \\d`));
    const afterBulk = await sandboxOffers();
    for (const p of picked) {
      expect(afterBulk.get(p.id)?.stock['1'], `eMAG stock of offer ${p.id}`).toBe(bulkStock);
      expect(await row(p.name).getByLabel('Stock').inputValue()).toBe(String(bulkStock));
    }
    expect(afterBulk.has(notPicked.id), 'the offer not selected is not saved').toBe(false);
    expect(await row(notPicked.name).getByLabel('Stock').inputValue()).toBe(String(notPicked.stock));
    expect(await text(offerLine(notPicked.name, notPicked.id))).toMatch(/: In step /);
    await screenshot(page, 'products-bulk');

    // A price above the offer's maximum: refused before sending, the bounds named on the product.
    const coffee = item(1007);
    const coffeeState = seeded(1007);
    const tooHigh = (Number(fmt4(coffeeState.maxPrice)) * 2).toFixed(2);
    await search(coffee.partNumber);
    await expect.poll(() => text(count())).toBe('1 product(s)');
    await row(coffee.name).getByLabel('Price').fill(tooHigh);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved 1 product(s)' }).waitFor();
    const refusal =
      `Price ${Number(tooHigh).toFixed(4)} RON was not sent: eMAG accepts only prices between ` +
      `${fmt4(coffeeState.minPrice)} and ${fmt4(coffeeState.maxPrice)} RON for this offer.`;
    await reloadUntil(offerLine(coffee.name, 1007), /Problem:/);
    expect(await text(offerLine(coffee.name, 1007))).toContain(`emag 1007: Problem: ${refusal}`);
    expect(await offerLine(coffee.name, 1007).getAttribute('class')).toContain('error');
    // eMAG got the offer's stock and status, never the price: it keeps the seeded one.
    expect((await sandboxOffers()).get(1007)).toMatchObject({
      saves: 1,
      sale_price: fmt4(coffeeState.salePrice),
    });
    await screenshot(page, 'products-price-refused');

    // eMAG's own refusal: the seller narrowed the mouse's price range in eMAG's portal (the
    // sandbox's `PUT /__sandbox/offers/:account/:id`), so a price within the bounds read earlier is
    // rejected by eMAG (offer-routes.ts applyUpdate: "sale_price … is outside min_sale_price … and
    // max_sale_price …", an `isError` answer naming the offer). The other offer of the same save
    // goes through (API doc 2.6: one bad offer does not hold back the others).
    const mouse = item(1009);
    const mouse2 = item(1021);
    const mouseState = seeded(1009);
    const narrowedMax = ((mouseState.salePrice / 10_000) * 1.05).toFixed(2);
    const mousePrice = ((mouseState.salePrice / 10_000) * 1.2).toFixed(2);
    expect(Number(mousePrice)).toBeLessThan(mouseState.maxPrice / 10_000);
    const narrowed = await fetch(`${sandbox.controlUrl}/offers/${ACCOUNT}/1009`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ max_sale_price: Number(narrowedMax) }),
    });
    expect(narrowed.status).toBe(200);
    await search('Mouse wireless');
    await expect.poll(() => text(count())).toBe('2 product(s)');
    await row(mouse.name).getByLabel('Price').fill(mousePrice);
    await row(mouse2.name).getByLabel('Stock').fill('299');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved 2 product(s)' }).waitFor();
    await reloadUntil(offerLine(mouse.name, 1009), /Problem:/);
    expect(await text(offerLine(mouse.name, 1009))).toContain(
      `emag 1009: Problem: eMAG refused the update: Offer 1009: sale_price ${Number(mousePrice).toFixed(4)} ` +
        `is outside min_sale_price ${fmt4(mouseState.minPrice)} and max_sale_price ${Number(narrowedMax).toFixed(4)}`,
    );
    await reloadUntil(offerLine(mouse2.name, 1021), /^emag 1021: Updated \d/);
    const afterMouse = await sandboxOffers();
    expect(afterMouse.get(1009)).toMatchObject({ saves: 0, sale_price: fmt4(mouseState.salePrice) });
    expect(afterMouse.get(1021)?.stock['1']).toBe(299);
    // Within eMAG's 3 requests/s for these routes throughout.
    expect((await sandboxState(sandbox)).breaches).toBe(0);
    await screenshot(page, 'products-emag-error');
  }, 90_000);
});
