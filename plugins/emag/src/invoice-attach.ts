import type { InvoiceSummary, PluginContext } from '@mch/plugin-sdk';
import { emag, EmagRefused } from './emag-api.ts';
import { orderTypes, readOrders } from './orders.ts';
import type { EmagSettings } from './types.ts';

export const ATTACH_OPERATION = 'invoice-attach';
/** `order/attachments/save` takes at most 50 entities per call (API doc "Order invoices"). */
export const ATTACH_BATCH = 50;
/** eMAG fetches each document of the call from our public URL before answering. */
const ATTACH_TIMEOUT_MS = 10 * 60_000;

/**
 * Attaches invoices to their orders in one `order/attachments/save` call, each invoice once
 * (`ctx.outbound.once` per order). Every invoice claims its operation first; the claimed ones go
 * out together and all succeed or fail with that one call (eMAG validates a save as a whole).
 * The PDF link is stable and `force_download` is 0, so a repeat after a crash between eMAG's
 * answer and our record is not downloaded again (API doc: "the same URL … will not be
 * downloaded again") — the effect still happens once.
 */
export async function attachBatch(
  ctx: PluginContext,
  invoices: readonly InvoiceSummary[],
  typeOf: (orderId: string) => Promise<number>,
): Promise<{ attached: number; failed: string[]; refused: string[]; messages: string[] }> {
  const items = await Promise.all(
    invoices
      .filter((i) => i.externalOrderId)
      .map(async (invoice) => ({
        invoice,
        orderId: invoice.externalOrderId!,
        url: await ctx.invoices.publicUrl(invoice.id),
        type: await typeOf(invoice.externalOrderId!),
      })),
  );
  const entries: Record<string, unknown>[] = [];
  let arrived = 0;
  let allArrived!: () => void;
  const ready = new Promise<void>((resolve) => (allArrived = resolve));
  const arrive = () => {
    if (++arrived === items.length) allArrived();
  };
  let release!: () => void;
  let reject!: (error: unknown) => void;
  const sent = new Promise<void>((resolve, fail) => {
    release = resolve;
    reject = fail;
  });
  sent.catch(() => undefined);

  const operations = items.map(async (item) => {
    let entered = false;
    try {
      return await ctx.outbound.once(
        {
          kind: ATTACH_OPERATION,
          key: item.orderId,
          payload: { invoiceId: item.invoice.id, number: item.invoice.number, url: item.url },
        },
        async () => {
          entered = true;
          entries.push({
            order_id: Number(item.orderId),
            order_type: item.type,
            // name ≤ 60 characters (API doc "order/attachments/save").
            name: `Factura ${item.invoice.number}`.slice(0, 60),
            url: item.url,
            type: 1,
            force_download: 0,
          });
          arrive();
          await sent;
          return { url: item.url };
        },
      );
    } finally {
      if (!entered) arrive();
    }
  });
  if (items.length === 0) allArrived();
  await ready;
  if (entries.length > 0) {
    try {
      // A repeat of the same URL is harmless once the first call finished (not downloaded again),
      // so the host may retry a 5xx. eMAG downloads every PDF before it answers: the timeout is
      // long, because a retry sent while the first call is still downloading would save twice.
      await emag(ctx, {
        path: 'order/attachments/save',
        data: entries,
        idempotent: true,
        timeoutMs: ATTACH_TIMEOUT_MS,
      });
      release();
    } catch (error) {
      reject(error);
    }
  }
  const results = await Promise.allSettled(operations);
  const failed: string[] = [];
  const refused: string[] = [];
  const messages = new Set<string>();
  let attached = 0;
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') {
      if (r.value.status === 'done') attached++;
      return;
    }
    // eMAG refused the call (HTTP 200, isError): retrying the same entities changes nothing.
    if (r.reason instanceof EmagRefused) refused.push(items[i]!.orderId);
    else failed.push(items[i]!.orderId);
    messages.add(r.reason instanceof Error ? r.reason.message : String(r.reason));
  });
  return { attached, failed, refused, messages: [...messages] };
}

/**
 * The order type of an invoice's order, needed by `order/attachments/save`: known from this run's
 * reads, else a seller account's orders are type 3, else read the order.
 */
export function orderTypeLookup(ctx: PluginContext, known: Map<string, number>) {
  const settings = ctx.settings as unknown as EmagSettings;
  return async (orderId: string): Promise<number> => {
    const seen = known.get(orderId);
    if (seen !== undefined) return seen;
    const types = orderTypes(settings);
    if (types.length === 1) return types[0]!;
    for (const type of types) {
      const [order] = await readOrders(ctx, { id: orderId, type });
      if (order) {
        known.set(orderId, order.type);
        return order.type;
      }
    }
    return types[types.length - 1]!;
  };
}

/**
 * Attaches every invoice still without an attachment, up to `parallel` batches at once, until
 * none is left or only failures remain. eMAG downloads each PDF while the call is open, so
 * several calls in flight keep the order routes' budget busy while PDFs are served.
 *
 * eMAG validates a save as a whole (one bad entity, nothing applied): the invoices of a refused
 * batch are sent again one by one, so one invoice eMAG refuses (its order gone, say) does not
 * hold back the others. What eMAG refuses alone is left `failed` in the outbound record with
 * eMAG's words and tried again on the next run; it does not fail this run. Any other failure
 * (5xx after retries, timeouts) does, so the failure policy retries the run.
 */
export async function attachPending(
  ctx: PluginContext,
  typeOf: (orderId: string) => Promise<number>,
  skip: Set<string>,
  parallel = 2,
): Promise<{ attached: number; refused: number; errors: string[] }> {
  let attached = 0;
  let refused = 0;
  const errors: string[] = [];
  const inFlight = new Set<string>();
  const solo = new Set<string>();
  const running = new Set<Promise<void>>();
  for (;;) {
    ctx.signal.throwIfAborted();
    const pending =
      running.size >= parallel
        ? []
        : (
            await ctx.invoices.without(
              ATTACH_OPERATION,
              ATTACH_BATCH * (parallel - running.size) + skip.size + inFlight.size,
            )
          ).filter(
            (i) => i.externalOrderId && !skip.has(i.externalOrderId) && !inFlight.has(i.externalOrderId),
          );
    while (pending.length > 0 && running.size < parallel) {
      const first = pending[0]!;
      const batch = solo.has(first.externalOrderId!)
        ? pending.splice(0, 1)
        : pending.splice(0, ATTACH_BATCH).filter((i, n) => n === 0 || !solo.has(i.externalOrderId!));
      for (const i of batch) inFlight.add(i.externalOrderId!);
      const job = attachBatch(ctx, batch, typeOf)
        .then((result) => {
          attached += result.attached;
          for (const id of result.failed) skip.add(id);
          if (result.failed.length)
            errors.push(`${result.failed.length} invoice(s) not attached: ${result.messages.join('; ')}`);
          if (batch.length > 1) for (const id of result.refused) solo.add(id);
          else
            for (const id of result.refused) {
              skip.add(id);
              refused++;
              ctx.log.warn({ orderId: id, messages: result.messages }, 'eMAG refused an invoice attachment');
            }
        })
        .finally(() => {
          for (const i of batch) inFlight.delete(i.externalOrderId!);
          running.delete(job);
        });
      running.add(job);
    }
    if (running.size === 0) return { attached, refused, errors };
    await Promise.race(running);
  }
}
