import {
  AuthError,
  isPluginError,
  PluginErrorCode,
  RefusedError,
  RetryableError,
  type HttpResponse,
  type InvoiceSummary,
  type JobOutput,
  type PluginContext,
} from '@mch/plugin-sdk';
import { allegro, describeAllegroError } from './allegro-api.ts';
import type { AllegroInvoice } from './types.ts';

export const UPLOAD_OPERATION = 'invoice-upload';
/** Corrections go to their order like invoices, each once (keyed by the correction's id). */
export const CORRECTION_UPLOAD_OPERATION = 'correction-upload';
/** Uploads in flight at once: each waits a few seconds for Allegro's virus scan. */
const UPLOADS_IN_FLIGHT = 8;
/** Pauses between looks at the scan's verdict (Allegro scans for a few seconds, #8507, #12721). */
const SCAN_POLL_MS = [100, 250, 500, 1000, 2000, 4000];
const ALLEGRO_JSON = { 'content-type': 'application/vnd.allegro.public.v1+json' };

/** The invoice is sent but Allegro has not scanned its file yet: looked at again on the next run. */
class StillScanning extends Error {}

const errorCode = (response: HttpResponse): string | undefined => {
  try {
    return response.json<{ errors?: { code?: string }[] }>().errors?.[0]?.code;
  } catch {
    return undefined;
  }
};

/** Allegro's invoices of the order, and ours among them by number (there is no idempotency key). */
async function findInvoice(
  ctx: PluginContext,
  base: string,
  number: string,
): Promise<AllegroInvoice | undefined> {
  const list = (await allegro(ctx, { path: base })).json<{ invoices?: AllegroInvoice[] }>();
  return (list.invoices ?? []).find((i) => i.invoiceNumber === number);
}

/**
 * Creates the invoice's metadata, once. The create is never retried blindly: a POST whose answer
 * is lost (timeout, 5xx, connection dropped) may have taken effect, and a second POST would add a
 * second invoice (reference/README.md "Invoices", Correction: up to 10 per order, #11996). So after
 * an uncertain POST the order's invoices are looked up by number; if ours is not there, the attempt
 * fails and the next one looks again before creating.
 */
async function createInvoice(ctx: PluginContext, base: string, invoice: InvoiceSummary, orderId: string) {
  let response: HttpResponse;
  try {
    response = await ctx.http.request({
      method: 'POST',
      path: base,
      idempotent: false,
      headers: ALLEGRO_JSON,
      json: { file: { name: `${invoice.number.replaceAll('/', '-')}.pdf` }, invoiceNumber: invoice.number },
    });
  } catch (error) {
    if (isPluginError(error) && error.code === PluginErrorCode.AUTH) throw error;
    const found = await findInvoice(ctx, base, invoice.number);
    if (found) return found;
    throw new RetryableError(
      `Allegro did not answer the creation of invoice ${invoice.number} on order ${orderId} (${(error as Error).message}); it is looked up before being created again.`,
      { cause: error },
    );
  }
  if (response.status === 201)
    return { id: response.json<{ id: string }>().id, invoiceNumber: invoice.number };
  if (response.status >= 500) {
    const found = await findInvoice(ctx, base, invoice.number);
    if (found) return found;
    throw new RetryableError(
      `Allegro could not answer the creation of invoice ${invoice.number} on order ${orderId} (${describeAllegroError(response)}); it is looked up before being created again.`,
    );
  }
  if (response.status === 401 || response.status === 403)
    throw new AuthError(
      `Allegro refused to add invoice ${invoice.number} to order ${orderId}: ${describeAllegroError(response)}. Reconnect the account.`,
    );
  const code = errorCode(response);
  if (response.status === 422 && code === 'ORDER-WITHOUT-INVOICE')
    throw new RefusedError(
      `Allegro takes no invoice for order ${orderId}: the buyer did not ask for one (ORDER-WITHOUT-INVOICE). The invoice stays in the host; hand it to the buyer another way if needed.`,
    );
  if (response.status === 422 && /SCAN/i.test(code ?? ''))
    throw new StillScanning(
      `A file of order ${orderId} is still being scanned by Allegro; invoice ${invoice.number} is added after it.`,
    );
  if (response.status === 409)
    throw new RefusedError(
      `Allegro refused invoice ${invoice.number}: order ${orderId} already holds the most invoices it may have (${describeAllegroError(response)}). Remove one in Allegro or send the document another way.`,
    );
  throw new RefusedError(
    `Allegro refused invoice ${invoice.number} for order ${orderId}: ${describeAllegroError(response)}.`,
  );
}

/** Uploads the PDF unless Allegro already holds a file for this invoice (409 means it does). */
async function uploadFile(
  ctx: PluginContext,
  base: string,
  invoice: InvoiceSummary,
  allegroId: string,
  orderId: string,
) {
  const pdf = await ctx.invoices.pdf(invoice.id);
  const response = await ctx.http.request({
    method: 'PUT',
    path: `${base}/${allegroId}/file`,
    // Safe to repeat: a second upload to the same invoice answers 409.
    idempotent: true,
    headers: { 'content-type': 'application/pdf' },
    body: pdf,
  });
  if ([200, 201, 204, 409].includes(response.status)) return;
  if (response.status >= 500)
    throw new RetryableError(
      `Allegro could not take the PDF of invoice ${invoice.number} now: ${describeAllegroError(response)}.`,
    );
  if (response.status === 401 || response.status === 403)
    throw new AuthError(
      `Allegro refused the PDF of invoice ${invoice.number}: ${describeAllegroError(response)}. Reconnect the account.`,
    );
  throw new RefusedError(
    `Allegro refused the PDF of invoice ${invoice.number} for order ${orderId}: ${describeAllegroError(response)}.`,
  );
}

/** Waits for Allegro's virus scan of the file: ACCEPTED is delivered, REJECTED is not. */
async function scanVerdict(ctx: PluginContext, base: string, invoice: InvoiceSummary, orderId: string) {
  for (let look = 0; ; look++) {
    const mine = await findInvoice(ctx, base, invoice.number);
    const status = mine?.file?.securityVerification?.status;
    if (status === 'ACCEPTED') return mine!;
    if (status === 'REJECTED')
      throw new RefusedError(
        `Allegro's virus scan rejected the PDF of invoice ${invoice.number} on order ${orderId}: the buyer cannot see it. Check the document and add it to the order in Allegro by hand.`,
      );
    const pause = SCAN_POLL_MS[look];
    if (pause === undefined)
      throw new StillScanning(
        `Allegro is still scanning the PDF of invoice ${invoice.number}; it is checked again on the next run.`,
      );
    await new Promise((r) => setTimeout(r, pause));
    ctx.signal.throwIfAborted();
  }
}

/**
 * Delivers one invoice to its order: look the order's invoices up by number first (an earlier
 * attempt — lost answer, crash, stale claim — or the seller may have created it; the list may
 * also hold invoices added elsewhere), create it only when absent, upload the PDF when it has
 * none, then wait for the virus scan: only an ACCEPTED file counts as delivered.
 */
async function deliver(ctx: PluginContext, invoice: InvoiceSummary, orderId: string) {
  const base = `/order/checkout-forms/${orderId}/invoices`;
  let mine = await findInvoice(ctx, base, invoice.number);
  mine ??= await createInvoice(ctx, base, invoice, orderId);
  if (!mine.file?.uploadedAt) await uploadFile(ctx, base, invoice, mine.id, orderId);
  const verified = await scanVerdict(ctx, base, invoice, orderId);
  return { allegroInvoiceId: verified.id, securityVerification: 'ACCEPTED' };
}

export type UploadResult = 'uploaded' | 'already' | 'refused' | 'waiting';

/**
 * Sends one document once: an invoice keyed by its order, a correction by its own id (an order
 * holds up to 10 documents, #11996); a refusal is recorded, not thrown.
 */
export async function uploadInvoice(
  ctx: PluginContext,
  invoice: InvoiceSummary,
  kind: typeof UPLOAD_OPERATION | typeof CORRECTION_UPLOAD_OPERATION = UPLOAD_OPERATION,
): Promise<UploadResult> {
  const orderId = invoice.externalOrderId;
  if (!orderId) return 'already';
  try {
    const outcome = await ctx.outbound.once(
      {
        kind,
        key: kind === UPLOAD_OPERATION ? orderId : invoice.id,
        payload: { invoiceId: invoice.id, number: invoice.number },
      },
      () => deliver(ctx, invoice, orderId),
    );
    return outcome.status === 'done' ? 'uploaded' : 'already';
  } catch (error) {
    if (isPluginError(error) && error.code === PluginErrorCode.REFUSED) {
      ctx.log.warn({ orderId, invoice: invoice.number, reason: error.message }, 'Allegro refused an invoice');
      return 'refused';
    }
    if (error instanceof StillScanning) return 'waiting';
    throw error;
  }
}

/**
 * The upload job: whatever is still pending — this sync's invoices, and anything a crash left
 * behind. A refused invoice is recorded against itself with the reason and the others go on; an
 * invoice whose scan has not ended or that another worker holds is looked at again later; other
 * failures (5xx, timeouts) fail the run after everything else was tried, so its retry comes soon.
 */
export async function uploadInvoices(ctx: PluginContext): Promise<JobOutput> {
  if ((ctx.settings as { autoGenerateInvoices?: boolean }).autoGenerateInvoices === false)
    return { counts: { uploaded: 0 } };
  const counts = { uploaded: 0, refused: 0, waiting: 0, failed: 0 };
  const seen = new Set<string>();
  let firstError: unknown;
  // Invoices first, then their corrections: a correction names an invoice the buyer has.
  for (const kind of [UPLOAD_OPERATION, CORRECTION_UPLOAD_OPERATION] as const)
    for (;;) {
      ctx.signal.throwIfAborted();
      // Documents tried in this run stay "pending" when they failed: ask past them.
      const pending = (
        kind === UPLOAD_OPERATION
          ? await ctx.invoices.without(kind, seen.size + 100)
          : await ctx.corrections.without(kind, seen.size + 100)
      ).filter((i) => !seen.has(i.id));
      if (pending.length === 0) break;
      pending.forEach((i) => seen.add(i.id));
      let next = 0;
      const worker = async () => {
        while (next < pending.length) {
          const invoice = pending[next++]!;
          try {
            const result = await uploadInvoice(ctx, invoice, kind);
            if (result === 'uploaded') counts.uploaded++;
            else if (result === 'refused') counts.refused++;
            else if (result === 'waiting') counts.waiting++;
          } catch (error) {
            if (isPluginError(error) && error.code === PluginErrorCode.AUTH) throw error;
            // Another worker holds it right now: it finishes it.
            if (error instanceof RetryableError && /another worker/.test(error.message)) continue;
            counts.failed++;
            firstError ??= error;
            ctx.log.warn(
              { invoice: invoice.number, error: (error as Error).message },
              'invoice upload failed; retried later',
            );
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(UPLOADS_IN_FLIGHT, pending.length) }, worker));
    }
  if (counts.failed > 0)
    throw new RetryableError(
      `${counts.failed} invoice upload(s) failed for now and are retried (${counts.uploaded} sent, ${counts.refused} refused): ${(firstError as Error).message}`,
      { cause: firstError },
    );
  return { counts };
}
