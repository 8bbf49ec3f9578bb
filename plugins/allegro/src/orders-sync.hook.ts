import type { JobInput, JobOutput, PluginContext, RecordInput } from '@mch/plugin-sdk';
import { allegro } from './allegro-api.ts';
import type { CheckoutForm, OrderEvent } from './types.ts';

const EVENTS_CURSOR = 'events.lastId';
const SWEEP_CURSOR = 'sweep.updatedAt';
const PAGE = 100;
const EVENTS_PAGE = 1000;
/**
 * Events can repeat, arrive out of order or never arrive (reference/README.md "Orders"): every run
 * also sweeps checkout forms updated since the last sweep, minus this overlap for clock skew and
 * late writes, so all three cases end in the same state.
 */
const SWEEP_OVERLAP_MS = 15 * 60 * 1000;
/** Forms in these states become invoices (or cancel theirs); earlier ones wait for later events. */
const FINAL = new Set<CheckoutForm['status']>(['READY_FOR_PROCESSING', 'CANCELLED']);

interface Settings {
  autoGenerateInvoices?: boolean;
}

/** Imports a page of forms: new ones invoiced, repeats ignored by the host's ledger. */
async function importForms(ctx: PluginContext, forms: CheckoutForm[]): Promise<void> {
  const records: RecordInput[] = forms
    .filter((f) => FINAL.has(f.status))
    .map((f) => ({ externalId: f.id, revision: f.revision ?? f.updatedAt ?? '', data: f }));
  if (records.length) await ctx.records.upsertMany('invoice', records);
}

/** Every checkout form updated since `since` (all of them when undefined), page by page. */
async function sweep(
  ctx: PluginContext,
  since: string | undefined,
  onPage: (forms: CheckoutForm[], total: number) => Promise<void>,
) {
  for (let offset = 0; ; offset += PAGE) {
    ctx.signal.throwIfAborted();
    const query: Record<string, string | number> = { limit: PAGE, offset };
    if (since) query['updatedAt.gte'] = since;
    const page = (await allegro(ctx, { path: '/order/checkout-forms', query })).json<{
      checkoutForms: CheckoutForm[];
      totalCount: number;
    }>();
    await onPage(page.checkoutForms, page.totalCount);
    if (page.checkoutForms.length < PAGE) return;
  }
}

/** Forms named by events after the cursor; the cursor moves only past forms already imported. */
async function followEvents(ctx: PluginContext, cursor: string): Promise<number> {
  let processed = 0;
  for (;;) {
    ctx.signal.throwIfAborted();
    const { events } = (
      await allegro(ctx, { path: '/order/events', query: { from: cursor, limit: EVENTS_PAGE } })
    ).json<{ events: OrderEvent[] }>();
    if (events.length === 0) return processed;
    const ids = [...new Set(events.map((e) => e.order.checkoutForm.id))];
    const forms: CheckoutForm[] = [];
    for (const id of ids) {
      // 404: the buyer merged purchases and a new form replaced this one; the sweep finds it.
      const response = await allegro(ctx, { path: `/order/checkout-forms/${id}` }, [200, 404]);
      if (response.status === 200) forms.push(response.json<CheckoutForm>());
      if (forms.length >= PAGE) await importForms(ctx, forms.splice(0));
    }
    await importForms(ctx, forms);
    processed += ids.length;
    const maxId = events.reduce((max, e) => (BigInt(e.id) > BigInt(max) ? e.id : max), cursor);
    await ctx.store.set(EVENTS_CURSOR, maxId);
    if (events.length < EVENTS_PAGE || maxId === cursor) return processed;
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
  let orders = 0;

  if (cursor === undefined) {
    const stats = (await allegro(ctx, { path: '/order/event-stats' })).json<{
      latestEvent?: { id: string };
    }>();
    await sweep(ctx, undefined, async (forms, total) => {
      await importForms(ctx, forms);
      orders += forms.length;
      ctx.progress(orders, total);
    });
    await ctx.store.set(EVENTS_CURSOR, stats.latestEvent?.id ?? '0');
  } else {
    orders += await followEvents(ctx, cursor);
    const since = sweptAt ? new Date(Date.parse(sweptAt) - SWEEP_OVERLAP_MS).toISOString() : undefined;
    await sweep(ctx, since, async (forms, total) => {
      await importForms(ctx, forms);
      orders += forms.length;
      ctx.progress(orders, total);
    });
  }
  await ctx.store.set(SWEEP_CURSOR, startedAt);

  // Uploads run as their own job: a slow or failing upload never holds back the import.
  return {
    counts: { orders },
    ...(settings.autoGenerateInvoices === false ? {} : { trigger: [{ jobId: 'upload-invoices' }] }),
  };
}
