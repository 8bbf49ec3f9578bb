import { parentPort } from 'node:worker_threads';
import { renderInvoicePdf, type InvoicePdfInput } from './pdf.ts';

/** A render thread of `PdfRenderPool`: one invoice in, its PDF bytes out (transferred, not copied). */
export interface RenderRequest {
  id: number;
  input: InvoicePdfInput;
}
export type RenderReply = { id: number; pdf: Uint8Array } | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error('pdf-worker.ts runs as a worker thread of PdfRenderPool');

port.on('message', (request: RenderRequest) => {
  renderInvoicePdf(request.input).then(
    (pdf) => {
      // A buffer of its own (not a view into a shared pool) can be transferred safely.
      const own =
        pdf.byteOffset === 0 && pdf.byteLength === pdf.buffer.byteLength ? pdf : new Uint8Array(pdf);
      port.postMessage({ id: request.id, pdf: own } satisfies RenderReply, [own.buffer as ArrayBuffer]);
    },
    (error: unknown) =>
      port.postMessage({
        id: request.id,
        error: error instanceof Error ? error.message : String(error),
      } satisfies RenderReply),
  );
});
