import type { JobInput, JobOutput, PluginContext } from '@mch/plugin-sdk';
import { laterEmagDate, shiftEmagDate } from './emag-dates.ts';
import { attachCorrections, attachPending, orderTypeLookup } from './invoice-attach.ts';
import { acknowledgeNew, acknowledgePage, importOrders, orderTypes, PAGE, readOrders } from './orders.ts';
import { enabled, type EmagOrder, type EmagSettings } from './types.ts';

/** Cursor: the latest `modified` seen, in eMAG's date format. */
export const MODIFIED_CURSOR = 'orders.modifiedAfter';
/** Re-read this much before the cursor: late writes and equal timestamps are not missed. */
const OVERLAP_MS = 15 * 60 * 1000;

/** Wakes the attacher when a page of invoices was imported; remembers wakes it missed. */
function signal() {
  let pending = false;
  let waiter: (() => void) | undefined;
  return {
    notify() {
      pending = true;
      waiter?.();
    },
    async wait() {
      if (!pending) await new Promise<void>((resolve) => (waiter = resolve));
      waiter = undefined;
      pending = false;
    },
  };
}

/**
 * The orders job: pages of `order/read` (modified since the cursor, newest first), new orders
 * acknowledged and the page re-read, then imported as invoices through the manifest mapping.
 * Invoices are attached by a second loop running beside the reads, so reads, acknowledgements
 * and attachments keep the order routes' budget busy together. The cursor moves only when the
 * whole run succeeded; a retry or a crash re-reads, and the ledger makes repeats `unchanged`.
 */
export async function syncOrders(ctx: PluginContext, input: JobInput): Promise<JobOutput> {
  const settings = ctx.settings as unknown as EmagSettings;
  const cursor = await ctx.store.get<string>(MODIFIED_CURSOR);
  const since = cursor ? shiftEmagDate(cursor, -OVERLAP_MS) : undefined;
  const types = new Map<string, number>();
  const counts = { orders: 0, acknowledged: 0, imported: 0, attached: 0, attachRefused: 0 };
  // Each order once, however many pages or re-reads brought it; a new order never acknowledged is
  // not invoiced (toRecords): the run skips it, saying why, so its counts add up (issue 13).
  const seen = new Set<number>();
  const handedOver = new Set<number>();
  let latest = cursor;

  const attaching = enabled(settings.autoGenerateInvoices) && enabled(settings.sendInvoices);
  const wake = signal();
  let readsDone = false;
  const skip = new Set<string>();
  const attachErrors: string[] = [];
  const attacher = attaching
    ? (async () => {
        const typeOf = orderTypeLookup(ctx, types);
        for (;;) {
          const finalPass = readsDone;
          const result = await attachPending(ctx, typeOf, skip);
          counts.attached += result.attached;
          counts.attachRefused += result.refused;
          attachErrors.push(...result.errors);
          if (finalPass) {
            // Corrections issued since (returns finalised, cancelled orders) go to their orders too.
            const corrections = await attachCorrections(ctx, typeOf);
            counts.attached += corrections.attached;
            attachErrors.push(...corrections.errors);
            return;
          }
          await wake.wait();
        }
      })()
    : Promise.resolve();
  // Awaited below; this only keeps an early failure from counting as unhandled meanwhile.
  attacher.catch(() => undefined);

  try {
    // New orders are acknowledged beside the pass; a page read before that finished waits for it,
    // then acknowledges (and re-reads) what is still new on it.
    const early = enabled(settings.autoAcknowledge)
      ? acknowledgeNew(ctx)
      : Promise.resolve(new Set<number>());
    early.catch(() => undefined);
    for (const type of orderTypes(settings)) {
      const filtersOf = (page: number) => ({
        currentPage: page,
        itemsPerPage: PAGE,
        type,
        ...(since ? { modifiedAfter: since } : {}),
      });
      let next: Promise<EmagOrder[]> | undefined = readOrders(ctx, filtersOf(1));
      // Awaited in the loop, after the abort check: an abort there must not leave it unhandled.
      next.catch(() => undefined);
      for (let page = 1; next; page++) {
        ctx.signal.throwIfAborted();
        const filters = filtersOf(page);
        const read: EmagOrder[] = await next;
        // A full page means more may follow: read it while this one is acknowledged and imported.
        next = read.length < PAGE ? undefined : readOrders(ctx, filtersOf(page + 1));
        next?.catch(() => undefined);
        const { orders, acknowledged } = await acknowledgePage(
          ctx,
          read,
          () => readOrders(ctx, filters),
          early,
        );
        for (const o of orders) {
          types.set(String(o.id), o.type);
          latest = laterEmagDate(latest, o.modified);
        }
        for (const o of orders) {
          seen.add(o.id);
          if (o.status !== 1) handedOver.add(o.id);
        }
        counts.orders = seen.size;
        counts.acknowledged += acknowledged;
        counts.imported += await importOrders(ctx, orders);
        ctx.progress(counts.orders);
        wake.notify();
      }
    }
    counts.acknowledged += (await early).size;
  } finally {
    readsDone = true;
    wake.notify();
    await attacher;
  }
  if (attachErrors.length)
    throw new Error(`Some invoices could not be attached to their eMAG orders: ${attachErrors.join('; ')}`);
  if (latest) await ctx.store.set(MODIFIED_CURSOR, latest);
  ctx.log.info({ ...counts, trigger: input.trigger }, 'eMAG orders synced');
  const waiting = seen.size - handedOver.size;
  return { counts, ...(waiting > 0 ? { skipped: { 'new, not acknowledged yet': waiting } } : {}) };
}
