import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { errorsBody } from '../errors.ts';
import type { InvoiceRecord } from '../store.ts';
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
/** Invoices one order may hold since 2025-08-14 (allegro-api #11996; 5 since 2021, #4614). */
export const MAX_INVOICES_PER_ORDER = 10;

type ScanStatus = 'WAITING' | 'ACCEPTED' | 'REJECTED';

/** The virus scan's state of an uploaded file now (`securityVerification.status`). */
export function scanStatus(invoice: InvoiceRecord, now = Date.now()): ScanStatus | null {
  if (!invoice.file) return null;
  return now < invoice.file.verifiedAt ? 'WAITING' : invoice.file.verdict;
}

/** `GET …/invoices` entry (OpenAPI CheckoutFormsOrderInvoice). */
function invoiceView(inv: InvoiceRecord, now: number): Record<string, unknown> {
  const status = scanStatus(inv, now);
  return {
    id: inv.id,
    ...(inv.invoiceNumber !== undefined ? { invoiceNumber: inv.invoiceNumber } : {}),
    createdAt: new Date(inv.createdAt).toISOString(),
    file: {
      name: inv.fileName,
      ...(inv.file && status
        ? {
            uploadedAt: new Date(inv.file.uploadedAt).toISOString(),
            securityVerification: {
              status,
              ...(status === 'WAITING' ? {} : { verifiedAt: new Date(inv.file.verifiedAt).toISOString() }),
            },
          }
        : {}),
    },
  };
}

/**
 * Invoices attached to an order (reference/README.md "Invoices", with its Corrections):
 * - `POST …/invoices` creates metadata, 201 `{id}`. A repeated POST creates another invoice; 409
 *   only once the order holds 10 (1 for deferred-payment business orders, EXTENDED_TERM);
 *   422 `ORDER-WITHOUT-INVOICE` when the buyer did not ask for one (`invoice.required` false,
 *   #4992, #12291, #11689); 422 while a previously uploaded file is still being scanned (#12721,
 *   OpenAPI 422); 429 when metadata comes within `invoiceMetadataCooldownMs` of metadata still
 *   without a file (OpenAPI 429). There is no idempotency key.
 * - `PUT …/invoices/{invoiceId}/file` uploads the PDF, 200; 413 over 3 MB; 422 empty or not a
 *   PDF; 409 when the invoice already has a file. The file then waits for the virus scan
 *   (`securityVerification` WAITING → ACCEPTED | REJECTED after `invoiceScanMs`, #8507).
 * - `GET …/invoices` lists every invoice, also those the seller added elsewhere.
 */
export function registerInvoiceRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const preHandler = apiGuard(deps);
  const { config } = deps;

  app.get('/order/checkout-forms/:id/invoices', { preHandler }, async (request, reply) => {
    const store = sellerStore(deps, request, reply);
    if (!store) return reply;
    const { id } = request.params as { id: string };
    const index = store.find(id);
    if (index === null) return notFound(reply, `Checkout form ${id}`);
    const now = Date.now();
    const invoices = (store.overlay(index)?.invoices ?? []).map((inv) => invoiceView(inv, now));
    return reply
      .type(ALLEGRO_MEDIA_TYPE)
      .send({ orderMode: 'REGULAR', invoices, hasExternalInvoices: false });
  });

  const refuse = (reply: FastifyReply, status: number, code: string, message: string) =>
    reply.code(status).send(errorsBody(code, message));

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
    const form = store.form(index) as { invoice: { required: boolean }; payment: { type: string } };
    if (!form.invoice.required) {
      // Recorded so tests can count invoices offered where none may go (none should be).
      deps.ledger.record({
        kind: 'invoice.refused',
        account: store.account.login,
        target: id,
        data: { code: 'ORDER-WITHOUT-INVOICE' },
      });
      return refuse(
        reply,
        422,
        'ORDER-WITHOUT-INVOICE',
        `Order with given id [${id}] does not allow an invoice: the buyer did not ask for one`,
      );
    }
    const now = Date.now();
    const invoices = store.overlay(index)?.invoices ?? [];
    if (invoices.some((inv) => scanStatus(inv, now) === 'WAITING')) {
      return refuse(
        reply,
        422,
        'INVOICE-FILE-SECURITY-SCAN-IN-PROGRESS',
        `Security scan for SELLER invoice in given order [${id}] is in progress; add the next invoice when it ends`,
      );
    }
    const limit = form.payment.type === 'EXTENDED_TERM' ? 1 : MAX_INVOICES_PER_ORDER;
    if (invoices.length >= limit) {
      return refuse(
        reply,
        409,
        'CONFLICT',
        `Order with given id already has seller invoice${limit > 1 ? 's' : ''} (at most ${limit})`,
      );
    }
    const last = invoices.at(-1);
    const cooldownLeft = last && !last.file ? last.createdAt + config.invoiceMetadataCooldownMs - now : 0;
    if (cooldownLeft > 0) {
      return reply
        .code(429)
        .header('retry-after', String(Math.ceil(cooldownLeft / 1000)))
        .send(
          errorsBody(
            'TooManyRequestsException',
            "You're trying to add another metadata too fast. Upload a file to previously added metadata or wait a few seconds before adding next metadata.",
          ),
        );
    }
    const invoice: InvoiceRecord = {
      id: randomUUID(),
      invoiceNumber: body.invoiceNumber,
      fileName: name,
      createdAt: now,
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
    if (file.length === 0)
      return refuse(reply, 422, 'EMPTY-ATTACHMENT', `File for given order [${id}] must not be empty`);
    if (file.subarray(0, 5).toString('latin1') !== '%PDF-')
      return refuse(
        reply,
        422,
        'FILE-CONTENT-INVALID',
        `File for given order [${id}] must have a PDF content`,
      );
    if (invoice.file)
      return reply
        .code(409)
        .send(errorsBody('CONFLICT', 'Invoice with given id already has invoice file uploaded'));
    const sha256 = createHash('sha256').update(file).digest('hex');
    const now = Date.now();
    const rejectRate = deps.faults.get().rejectFiles;
    const verdict = rejectRate > 0 && deps.faults.rng.chance(rejectRate) ? 'REJECTED' : 'ACCEPTED';
    invoice.file = {
      uploadedAt: now,
      size: file.length,
      sha256,
      verifiedAt: now + config.invoiceScanMs,
      verdict,
    };
    deps.ledger.record({
      kind: 'invoice.file_uploaded',
      account: store.account.login,
      target: id,
      data: { invoiceId, size: file.length, sha256, verdict },
    });
    return reply.code(200).send();
  });
}
