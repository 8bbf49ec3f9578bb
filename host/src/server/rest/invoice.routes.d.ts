import type { FastifyInstance } from 'fastify';
import { type RestDeps } from './rest-helpers.ts';
/** `GET /api/v1/invoices` and `GET /api/v1/invoices/:id/pdf` (SPEC "Interfaces"). */
export declare function registerInvoiceRoutes(app: FastifyInstance, deps: RestDeps): void;
