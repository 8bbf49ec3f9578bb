import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { errorsBody } from '../errors.ts';
import {
  ALLEGRO_MEDIA_TYPE,
  apiGuard,
  notFound,
  sellerStore,
  unprocessable,
  type ApiDeps,
} from './context.ts';

/** Allegro refuses invoice files over 3 MB (OpenAPI: "Max file size is 3MB"). */
export const MAX_INVOICE_BYTES = 3 * 1024 * 1024;

/**
 * Invoices attached to an order (reference/README.md "Invoices"): create the metadata
 * (`POST …/invoices`, 201 `{id}`, 409 when the order already has an invoice), then upload the PDF
 * (`PUT …/invoices/{invoiceId}/file`, 200; 413 over 3 MB; 422 empty or not a PDF; 409 already uploaded).
 */
export function registerInvoiceRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const preHandler = apiGuard(deps);

  app.get('/order/checkout-forms/:id/invoices', { preHandler }, async (request, reply) => {
    const store = sellerStore(deps, request, reply);
    if (!store) return reply;
    const { id } = request.params as { id: string };
    const index = store.find(id);
    if (index === null) return notFound(reply, `Checkout form ${id}`);
    const invoices = (store.overlay(index)?.invoices ?? []).map((inv) => ({
      id: inv.id,
      ...(inv.invoiceNumber !== undefined ? { invoiceNumber: inv.invoiceNumber } : {}),
      createdAt: new Date(inv.createdAt).toISOString(),
      file: {
        name: inv.fileName,
        ...(inv.file
          ? {
              uploadedAt: new Date(inv.file.uploadedAt).toISOString(),
              securityVerification: {
                status: 'ACCEPTED',
                verifiedAt: new Date(inv.file.uploadedAt).toISOString(),
              },
            }
          : {}),
      },
    }));
    return reply
      .type(ALLEGRO_MEDIA_TYPE)
      .send({ orderMode: 'REGULAR', invoices, hasExternalInvoices: false });
  });

  app.post('/order/checkout-forms/:id/invoices', { preHandler }, async (request, reply) => {
    const store = sellerStore(deps, request, reply);
    if (!store) return reply;
    const { id } = request.params as { id: string };
    const index = store.find(id);
    if (index === null) return notFound(reply, `Checkout form ${id}`);
    const body = (request.body ?? {}) as { file?: { name?: unknown }; invoiceNumber?: unknown };
    const name = body.file?.name;
    if (typeof name !== 'string' || name.trim() === '')
      return unprocessable(reply, 'file.name is required', 'file.name');
    if (body.invoiceNumber !== undefined && typeof body.invoiceNumber !== 'string') {
      return unprocessable(reply, 'invoiceNumber must be a string', 'invoiceNumber');
    }
    if ((store.overlay(index)?.invoices.length ?? 0) > 0) {
      return reply.code(409).send(errorsBody('CONFLICT', 'Order with given id already has seller invoice'));
    }
    const invoice = {
      id: randomUUID(),
      invoiceNumber: body.invoiceNumber,
      fileName: name,
      createdAt: Date.now(),
    };
    store.addInvoice(index, invoice);
    deps.ledger.record({
      kind: 'invoice.created',
      account: store.account.login,
      target: id,
      data: { invoiceId: invoice.id, invoiceNumber: invoice.invoiceNumber ?? null, fileName: name },
    });
    return reply.code(201).type(ALLEGRO_MEDIA_TYPE).send({ id: invoice.id });
  });

  app.put('/order/checkout-forms/:id/invoices/:invoiceId/file', { preHandler }, async (request, reply) => {
    const store = sellerStore(deps, request, reply);
    if (!store) return reply;
    const { id, invoiceId } = request.params as { id: string; invoiceId: string };
    const index = store.find(id);
    if (index === null) return notFound(reply, `Checkout form ${id}`);
    const invoice = store.overlay(index)?.invoices.find((inv) => inv.id === invoiceId);
    if (!invoice) return notFound(reply, `Invoice ${invoiceId}`);
    if (request.headers['content-type']?.split(';')[0]?.trim() !== 'application/pdf') {
      return reply
        .code(415)
        .send(errorsBody('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/pdf'));
    }
    const file = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (file.length > MAX_INVOICE_BYTES) {
      return reply
        .code(413)
        .send(errorsBody('FILE_TOO_LARGE', 'The file is too large. Max file size is 3MB'));
    }
    if (file.length === 0) return unprocessable(reply, 'Uploaded file is empty');
    if (file.subarray(0, 5).toString('latin1') !== '%PDF-')
      return unprocessable(reply, 'Uploaded file is not a PDF document');
    if (invoice.file)
      return reply
        .code(409)
        .send(errorsBody('CONFLICT', 'Invoice with given id already has invoice file uploaded'));
    const sha256 = createHash('sha256').update(file).digest('hex');
    invoice.file = { uploadedAt: Date.now(), size: file.length, sha256 };
    deps.ledger.record({
      kind: 'invoice.file_uploaded',
      account: store.account.login,
      target: id,
      data: { invoiceId, size: file.length, sha256 },
    });
    return reply.code(200).send();
  });
}
