import type { InvoiceSummary, JobOutput, PluginContext } from '@mch/plugin-sdk';
import { allegro } from './allegro-api.ts';
import type { AllegroInvoice } from './types.ts';

export const UPLOAD_OPERATION = 'invoice-upload';

/**
 * Sends one invoice to its order (reference: create, then PUT the PDF), once. A crash between the
 * two calls, or an upload some earlier attempt finished, shows up as 409: then the invoice
 * Allegro already holds for the order is looked up and completed instead of created again.
 */
export async function uploadInvoice(ctx: PluginContext, invoice: InvoiceSummary): Promise<void> {
  const orderId = invoice.externalOrderId;
  if (!orderId) return;
  await ctx.outbound.once(
    { kind: UPLOAD_OPERATION, key: orderId, payload: { invoiceId: invoice.id, number: invoice.number } },
    async () => {
      const base = `/order/checkout-forms/${orderId}/invoices`;
      const created = await allegro(
        ctx,
        {
          method: 'POST',
          path: base,
          // Safe to repeat: a second create answers 409 and the existing invoice is used.
          idempotent: true,
          // Allegro takes its own media type for request bodies too.
          headers: { 'content-type': 'application/vnd.allegro.public.v1+json' },
          json: {
            file: { name: `${invoice.number.replaceAll('/', '-')}.pdf` },
            invoiceNumber: invoice.number,
          },
        },
        [201, 409],
      );
      let allegroInvoice: AllegroInvoice | undefined;
      if (created.status === 201) {
        allegroInvoice = created.json<AllegroInvoice>();
      } else {
        const list = (await allegro(ctx, { path: base })).json<{ invoices: AllegroInvoice[] }>();
        allegroInvoice = list.invoices.find((i) => i.invoiceNumber === invoice.number) ?? list.invoices[0];
        if (!allegroInvoice) throw new Error(`Allegro says order ${orderId} has an invoice but lists none`);
        if (allegroInvoice.file?.uploadedAt)
          return { allegroInvoiceId: allegroInvoice.id, alreadyUploaded: true };
      }
      const pdf = await ctx.invoices.pdf(invoice.id);
      await allegro(
        ctx,
        {
          method: 'PUT',
          path: `${base}/${allegroInvoice.id}/file`,
          idempotent: true,
          headers: { 'content-type': 'application/pdf' },
          body: pdf,
        },
        [200, 201, 204, 409],
      );
      return { allegroInvoiceId: allegroInvoice.id };
    },
  );
}

/** The upload job: whatever is still pending — this sync's invoices, and anything a crash left behind. */
export async function uploadInvoices(ctx: PluginContext): Promise<JobOutput> {
  if ((ctx.settings as { autoGenerateInvoices?: boolean }).autoGenerateInvoices === false)
    return { counts: { uploaded: 0 } };
  return { counts: { uploaded: await uploadPending(ctx) } };
}

async function uploadPending(ctx: PluginContext, batchSize = 100): Promise<number> {
  let uploaded = 0;
  for (;;) {
    const pending = await ctx.invoices.without(UPLOAD_OPERATION, batchSize);
    if (pending.length === 0) return uploaded;
    for (const invoice of pending) {
      await uploadInvoice(ctx, invoice);
      uploaded++;
    }
  }
}
