import type { FastifyInstance } from 'fastify';
import type { InvoiceRecord } from '../store.ts';
import { type ApiDeps } from './context.ts';
/** Allegro refuses invoice files over 3 MB (OpenAPI: "Max file size is 3MB"). */
export declare const MAX_INVOICE_BYTES: number;
/** Invoices one order may hold since 2025-08-14 (allegro-api #11996; 5 since 2021, #4614). */
export declare const MAX_INVOICES_PER_ORDER = 10;
type ScanStatus = 'WAITING' | 'ACCEPTED' | 'REJECTED';
/** The virus scan's state of an uploaded file now (`securityVerification.status`). */
export declare function scanStatus(invoice: InvoiceRecord, now?: number): ScanStatus | null;
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
export declare function registerInvoiceRoutes(app: FastifyInstance, deps: ApiDeps): void;
export {};
