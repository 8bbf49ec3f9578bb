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
 * Attaches invoices to their orders in one `order/attachments/save` call, each invoice once: the
 * invoices' operations (`ctx.outbound.batch`, one per order) are claimed together, the claimed ones
 * go out in the call and all succeed or fail with it (eMAG validates a save as a whole).
 * The PDF link is stable and `force_download` is 0, so a repeat after a crash between eMAG's
 * answer and our record is not downloaded again (API doc: "the same URL … will not be
 * downloaded again") — the effect still happens once.
 */
export async function attachBatch(
  ctx: PluginContext,
  invoices: readonly InvoiceSummary[],
  typeOf: (orderId: string) => Promise<number>,
): Promise<{ attached: number; failed: string[]; refused: string[]; messages: string[] }> {
  const items = new Map(
    await Promise.all(
      invoices
        .filter((i) => i.externalOrderId)
        .map(async (invoice) => {
          const orderId = invoice.externalOrderId!;
          const item = {
            invoice,
            url: await ctx.invoices.publicUrl(invoice.id),
            type: await typeOf(orderId),
          };
          return [orderId, item] as const;
        }),
    ),
  );
  const operations = [...items].map(([orderId, item]) => ({
    kind: ATTACH_OPERATION,
    key: orderId,
    payload: { invoiceId: item.invoice.id, number: item.invoice.number, url: item.url },
  }));
  // A repeat of the same URL is harmless once the first call finished (not downloaded again),
  // so the host may retry a 5xx. eMAG downloads every PDF before it answers: the timeout is
  // long, because a retry sent while the first call is still downloading would save twice.
  const outcomes = await ctx.outbound.batch(operations, (claimed) =>
    emag(ctx, {
      path: 'order/attachments/save',
      data: claimed.map(({ key }) => {
        const item = items.get(key)!;
        return {
          order_id: Number(key),
          order_type: item.type,
          // name ≤ 60 characters (API doc "order/attachments/save").
          name: `Factura ${item.invoice.number}`.slice(0, 60),
          url: item.url,
          type: 1,
          force_download: 0,
        };
      }),
      idempotent: true,
      timeoutMs: ATTACH_TIMEOUT_MS,
    }),
  );
  const failed: string[] = [];
  const refused: string[] = [];
  const messages = new Set<string>();
  let attached = 0;
  for (const outcome of outcomes) {
    if (outcome.status === 'done') attached++;
    else if (outcome.status === 'busy') {
      failed.push(outcome.key);
      messages.add(`the invoice of order ${outcome.key} is being attached by another worker right now`);
    } else if (outcome.status === 'failed') {
      // eMAG refused the call (HTTP 200, isError): retrying the same entities changes nothing.
      if (outcome.error instanceof EmagRefused) refused.push(outcome.key);
      else failed.push(outcome.key);
      messages.add(outcome.error instanceof Error ? outcome.error.message : String(outcome.error));
    }
  }
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
 * several calls in flight keep the order routes' budget busy while PDFs are served (the rate
 * limiter still spaces the calls; eMAG downloads the links of one call one after another).
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
  parallel = 4,
): Promise<{ attached: number; refused: number; errors: string[] }> {
  let attached = 0;
  let refused = 0;
  const errors: string[] = [];
  const inFlight = new Set<string>();
  // Settled in this call: a `without` sent before a batch finished may still list its invoices.
  const settled = new Set<string>();
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
              ATTACH_BATCH * (parallel - running.size) + skip.size + inFlight.size + ATTACH_BATCH * parallel,
            )
          ).filter((i) => {
            const id = i.externalOrderId;
            return id && !skip.has(id) && !inFlight.has(id) && !settled.has(id);
          });
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
          // A refused batch is sent again one by one; a refused single invoice is left for later.
          const again = batch.length > 1 ? new Set(result.refused) : new Set<string>();
          for (const i of batch) if (!again.has(i.externalOrderId!)) settled.add(i.externalOrderId!);
          for (const id of again) solo.add(id);
          if (batch.length === 1)
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

export const CORRECTION_ATTACH_OPERATION = 'correction-attach';

/**
 * Attaches each correction's PDF to its order once (outbound operation keyed by the correction's
 * id), beside the invoice: `order/attachments/save` type 1 under a new URL, which eMAG takes as a
 * further document of the order (API doc "Order invoices and warranties": a different URL is
 * downloaded). A correction eMAG refuses stays recorded with eMAG's words and is tried again.
 */
export async function attachCorrections(
  ctx: PluginContext,
  typeOf: (orderId: string) => Promise<number>,
): Promise<{ attached: number; errors: string[] }> {
  const pending = await ctx.corrections.without(CORRECTION_ATTACH_OPERATION, ATTACH_BATCH);
  let attached = 0;
  const errors: string[] = [];
  for (const correction of pending) {
    const orderId = correction.externalOrderId!;
    try {
      const url = await ctx.invoices.publicUrl(correction.id);
      const type = await typeOf(orderId);
      const outcome = await ctx.outbound.once(
        {
          kind: CORRECTION_ATTACH_OPERATION,
          key: correction.id,
          payload: { orderId, number: correction.number, url },
        },
        () =>
          emag(ctx, {
            path: 'order/attachments/save',
            data: [
              {
                order_id: Number(orderId),
                order_type: type,
                name: `Factura storno ${correction.number}`.slice(0, 60),
                url,
                type: 1,
                force_download: 0,
              },
            ],
            idempotent: true,
            timeoutMs: ATTACH_TIMEOUT_MS,
          }),
      );
      if (outcome.status === 'done') attached++;
    } catch (error) {
      // What eMAG refuses stays recorded with its words and is tried again; it does not fail the run.
      if (!(error instanceof EmagRefused))
        errors.push(error instanceof Error ? error.message : String(error));
    }
  }
  return { attached, errors };
}
