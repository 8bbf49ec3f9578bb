import {
  RefusedError,
  type JobInput,
  type JobOutput,
  type PluginContext,
  type RecordInput,
} from '@mch/plugin-sdk';
import { allegro } from './allegro-api.ts';
import { UPLOAD_OPERATION } from './invoice-upload.ts';
import type { CheckoutForm, OrderEvent } from './types.ts';

const EVENTS_CURSOR = 'events.lastId';
const SWEEP_CURSOR = 'sweep.updatedAt';
const PAGE = 100;
const EVENTS_PAGE = 1000;
const FETCHES_IN_FLIGHT = 4;
/**
 * Allegro answers no deeper than `offset + limit = 10 000` (422 beyond; reference/README.md
 * "Orders", Correction: #4027, #4052, #5998): a larger history is read in `updatedAt` windows,
 * each cut to hold about WINDOW_TARGET forms, a window still over the cap split again.
 */
const MAX_RESULT_WINDOW = 10_000;
const WINDOW_TARGET = 8_000;
/**
 * Events can repeat, arrive out of order or never arrive (reference/README.md "Orders"): every run
 * also sweeps checkout forms updated since the last sweep, minus this overlap for clock skew and
 * late writes, so all three cases end in the same state.
 */
const SWEEP_OVERLAP_MS = 15 * 60 * 1000;
/** Forms in these states become invoices (or cancel theirs); earlier ones wait for later events. */
const FINAL = new Set<CheckoutForm['status']>(['READY_FOR_PROCESSING', 'CANCELLED']);
/** Why a form before those states is not imported yet (BOUGHT, FILLED_IN: not paid), in words. */
const NOT_PAID = 'not paid yet';

/**
 * The orders one run saw, each once however often it came (an event, then the sweep that follows),
 * and those it left waiting because they are not paid: the run's counts add up (issue 13).
 */
class SeenForms {
  readonly #seen = new Set<string>();
  readonly #imported = new Set<string>();
  add(forms: readonly CheckoutForm[]): void {
    for (const f of forms) {
      this.#seen.add(f.id);
      if (FINAL.has(f.status)) this.#imported.add(f.id);
    }
  }
  get size(): number {
    return this.#seen.size;
  }
  /** Forms seen only before they were paid: skipped by the plugin, never handed to the host. */
  get notPaid(): number {
    return this.#seen.size - this.#imported.size;
  }
}

interface Settings {
  autoGenerateInvoices?: boolean;
}

/**
 * Imports a page of forms: new ones invoiced, repeats ignored by the host's ledger. An order whose
 * buyer did not ask for an invoice takes none on Allegro (422 ORDER-WITHOUT-INVOICE, #4992,
 * #12291): its upload is recorded as refused with that reason first, so none is ever offered.
 */
async function importForms(ctx: PluginContext, forms: CheckoutForm[]): Promise<void> {
  const ready = forms.filter((f) => FINAL.has(f.status));
  const unasked = ready.filter((f) => f.status === 'READY_FOR_PROCESSING' && f.invoice?.required !== true);
  if (unasked.length) {
    await ctx.outbound.batch(
      unasked.map((f) => ({
        kind: UPLOAD_OPERATION,
        key: f.id,
        payload: { reason: 'ORDER-WITHOUT-INVOICE' },
      })),
      async () => {
        throw new RefusedError(
          'The buyer did not ask for an invoice: Allegro takes none for this order (ORDER-WITHOUT-INVOICE), so it is not uploaded.',
        );
      },
    );
  }
  const records: RecordInput[] = ready.map((f) => ({
    externalId: f.id,
    revision: f.revision ?? f.updatedAt ?? '',
    data: f,
  }));
  if (records.length) await ctx.records.upsertMany('invoice', records);
}

interface Page {
  checkoutForms: CheckoutForm[];
  totalCount: number;
}

/**
 * Every checkout form updated in [`since`, `until`] (from the oldest when `since` is undefined),
 * page by page, in `updatedAt` windows that each stay within Allegro's 10 000-result cap.
 */
async function sweep(
  ctx: PluginContext,
  since: string | undefined,
  until: string,
  onPage: (forms: CheckoutForm[], total: number) => Promise<void>,
) {
  const fetchPage = (gte: string | undefined, lte: string, offset: number, sort?: string) => {
    const query: Record<string, string | number> = { limit: PAGE, offset, 'updatedAt.lte': lte };
    if (gte) query['updatedAt.gte'] = gte;
    if (sort) query.sort = sort;
    return allegro(ctx, { path: '/order/checkout-forms', query }).then((r) => r.json<Page>());
  };
  const first = await fetchPage(since, until, 0);
  const total = first.totalCount;

  /** Pages through one window; `page0` is its first page, already fetched. */
  const pages = async (gte: string | undefined, lte: string, page0: Page) => {
    // The next page is on its way while this one is imported: the network and the database overlap.
    let next: Promise<Page> = Promise.resolve(page0);
    for (let offset = 0; ; offset += PAGE) {
      ctx.signal.throwIfAborted();
      const page = await next;
      const more = page.checkoutForms.length === PAGE && offset + 2 * PAGE <= MAX_RESULT_WINDOW;
      if (more) {
        next = fetchPage(gte, lte, offset + PAGE);
        // Awaited next turn; marked handled so an abort or a failed import meanwhile does not
        // leave its rejection unhandled.
        next.catch(() => undefined);
      }
      await onPage(page.checkoutForms, total);
      if (!more) return;
    }
  };

  const window = async (gte: string | undefined, lte: string, page0: Page): Promise<void> => {
    if (page0.totalCount <= MAX_RESULT_WINDOW) return pages(gte, lte, page0);
    // Too many for one window: cut it into slices of about WINDOW_TARGET forms each (assuming an
    // even spread; a slice still too full is cut again).
    const from = gte
      ? Date.parse(gte)
      : Date.parse((await fetchPage(undefined, lte, 0, 'updatedAt')).checkoutForms[0]?.updatedAt ?? lte);
    const to = Date.parse(lte);
    const slices = Math.ceil(page0.totalCount / WINDOW_TARGET);
    if (to - from + 1 < 2)
      throw new Error(
        `Allegro lists more than ${MAX_RESULT_WINDOW} orders updated at ${lte}; they cannot be read in windows.`,
      );
    const step = Math.max(1, Math.floor((to - from + 1) / slices));
    for (let start = from; start <= to; start += step) {
      const end = Math.min(to, start + step - 1);
      const a = new Date(start).toISOString();
      const b = new Date(end).toISOString();
      await window(a, b, await fetchPage(a, b, 0));
    }
  };
  await window(since, until, first);
}

/** Runs `work` over `items` with at most `limit` in flight (the rate limiter spaces the requests). */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let index = 0;
  const worker = async () => {
    while (index < items.length) await work(items[index++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Forms named by events after the cursor; the cursor moves only past forms already imported. */
async function followEvents(ctx: PluginContext, cursor: string, seen: SeenForms): Promise<void> {
  for (;;) {
    ctx.signal.throwIfAborted();
    const { events } = (
      await allegro(ctx, { path: '/order/events', query: { from: cursor, limit: EVENTS_PAGE } })
    ).json<{ events: OrderEvent[] }>();
    if (events.length === 0) return;
    const ids = [...new Set(events.map((e) => e.order.checkoutForm.id))];
    const forms: CheckoutForm[] = [];
    // Imports queue behind each other while the next forms are fetched, so the requests keep the
    // pace the limit allows instead of pausing for each database write.
    let imports = Promise.resolve();
    await eachLimited(ids, FETCHES_IN_FLIGHT, async (id) => {
      // 404: the buyer merged purchases and a new form replaced this one; the sweep finds it.
      const response = await allegro(ctx, { path: `/order/checkout-forms/${id}` }, [200, 404]);
      if (response.status === 200) {
        const form = response.json<CheckoutForm>();
        forms.push(form);
        seen.add([form]);
        ctx.progress(seen.size);
      }
      if (forms.length >= PAGE) {
        const batch = forms.splice(0);
        imports = imports.then(() => importForms(ctx, batch));
        // Awaited after the fetches; a fetch failing first must not leave this rejection unhandled.
        imports.catch(() => undefined);
      }
    });
    await imports.then(() => importForms(ctx, forms));
    const maxId = events.reduce((max, e) => (BigInt(e.id) > BigInt(max) ? e.id : max), cursor);
    await ctx.store.set(EVENTS_CURSOR, maxId);
    if (events.length < EVENTS_PAGE || maxId === cursor) return;
    cursor = maxId;
  }
}

/**
 * The orders job: the `/order/events` cursor for speed, the `updatedAt` sweep for completeness;
 * then the upload job sends the new invoices back to their orders. On the first run everything is swept and the event
 * cursor starts at the latest event.
 */
export async function syncOrders(ctx: PluginContext, _input: JobInput): Promise<JobOutput> {
  const settings = ctx.settings as Settings;
  const startedAt = new Date().toISOString();
  const cursor = await ctx.store.get<string>(EVENTS_CURSOR);
  const sweptAt = await ctx.store.get<string>(SWEEP_CURSOR);
  const seen = new SeenForms();
  // Progress is the sweep's own: its forms of its total, so done never passes the total.
  let swept = 0;
  const onSweptPage = async (forms: CheckoutForm[], total: number) => {
    await importForms(ctx, forms);
    seen.add(forms);
    swept += forms.length;
    ctx.progress(swept, Math.max(total, swept));
  };

  if (cursor === undefined) {
    const stats = (await allegro(ctx, { path: '/order/event-stats' })).json<{
      latestEvent?: { id: string };
    }>();
    await sweep(ctx, undefined, startedAt, onSweptPage);
    await ctx.store.set(EVENTS_CURSOR, stats.latestEvent?.id ?? '0');
  } else {
    await followEvents(ctx, cursor, seen);
    const since = sweptAt ? new Date(Date.parse(sweptAt) - SWEEP_OVERLAP_MS).toISOString() : undefined;
    await sweep(ctx, since, startedAt, onSweptPage);
  }
  await ctx.store.set(SWEEP_CURSOR, startedAt);

  // Uploads run as their own job: a slow or failing upload never holds back the import.
  return {
    counts: { orders: seen.size },
    ...(seen.notPaid > 0 ? { skipped: { [NOT_PAID]: seen.notPaid } } : {}),
    ...(settings.autoGenerateInvoices === false ? {} : { trigger: [{ jobId: 'upload-invoices' }] }),
  };
}
