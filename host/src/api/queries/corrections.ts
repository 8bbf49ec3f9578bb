import type { EntityManager } from '@mikro-orm/core';
import { z } from 'zod';
import type { Principal } from '../../auth/principal.ts';
import { Invoice, type IInvoice } from '../../db/entities/invoice.entity.ts';
import type { SqlPool } from '../../db/orm.ts';
import { HostError } from '../../errors.ts';
import { CorrectionError, isFrozenCorrection } from '../../invoicing/correction-document.ts';
import { issueCorrection, type IssuedCorrection } from '../../records/correction-sql.ts';
import { inTransaction } from '../../records/sql.ts';
import { findAccessibleInvoice, toDocumentView, toInvoiceView, type InvoiceView } from './invoices.ts';

/**
 * Corrections as the API shows and requests them (SPEC "Interfaces": `type`, `corrects`,
 * `correctedBy[]`): a document with its links both ways, an order's history, and a seller's
 * request for a correction — refused with what to fix when the request cannot be met.
 */

/** The ids of the corrections of an invoice, oldest first. */
export async function correctedBy(pool: SqlPool, invoiceId: string): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    'select id from invoices where corrects = $1 order by created_at, sequence',
    [invoiceId],
  );
  return rows.map((r) => r.id);
}

/** `GET /api/v1/invoices/:id`: the frozen document, its `correctedBy[]`, and what a correction corrects. */
export async function documentWithLinks(pool: SqlPool, row: IInvoice): Promise<Record<string, unknown>> {
  const view = toDocumentView(row);
  const correction = isFrozenCorrection(row.document) ? row.document.correction : null;
  return {
    ...view,
    correctedBy: row.type === 'invoice' ? await correctedBy(pool, row.id) : [],
    ...(correction ? { correction } : {}),
  };
}

export const CorrectionInput = z
  .object({
    key: z.string().trim().min(1).max(200),
    kind: z.enum(['cancellation', 'return', 'refund']),
    reason: z.string().trim().min(1).max(500),
    /** Absent: the whole invoice (a correction to zero). */
    lines: z
      .array(
        z
          .object({
            position: z.number().int().min(1),
            quantity: z.union([z.number().positive(), z.string().regex(/^\d+(\.\d{1,3})?$/)]).optional(),
            amount: z.union([z.number().positive(), z.string().regex(/^\d+(\.\d{1,2})?$/)]).optional(),
          })
          .refine((l) => (l.quantity === undefined) !== (l.amount === undefined), {
            message: 'give either the quantity returned or the amount refunded',
          }),
      )
      .min(1)
      .max(500)
      .optional(),
  })
  .strict();
export type CorrectionInput = z.infer<typeof CorrectionInput>;

/** A correction error as the API answers it: 409 when nothing is left to correct, else 400 with the reason. */
export function correctionRefusal(error: unknown): unknown {
  if (!(error instanceof CorrectionError)) return error;
  return new HostError(error.code === 'nothing_left' ? 'CONFLICT' : 'BAD_REQUEST', error.message);
}

/** A seller's correction of one of their invoices (issued once per key). */
export async function requestCorrection({
  em,
  pool,
  principal,
  invoiceId,
  input,
}: {
  em: EntityManager;
  pool: SqlPool;
  principal: Principal;
  invoiceId: string;
  input: CorrectionInput;
}): Promise<IssuedCorrection> {
  const invoice = await findAccessibleInvoice(em, principal, invoiceId);
  try {
    return await inTransaction(pool, (client) =>
      issueCorrection(client, {
        tenantId: invoice.tenantId,
        invoiceId: invoice.id,
        key: input.key,
        kind: input.kind,
        reason: input.reason,
        scope: input.lines ? { lines: input.lines } : { all: true },
      }),
    );
  } catch (error) {
    throw correctionRefusal(error);
  }
}

/** An order's documents in the order they were issued: its invoice, then its corrections. */
export async function orderDocuments({
  em,
  tenantId,
  integrationId,
  externalOrderId,
}: {
  em: EntityManager;
  tenantId: string;
  integrationId: string;
  externalOrderId: string;
}): Promise<InvoiceView[]> {
  const rows = await em.find(
    Invoice,
    { tenantId, integrationId, externalOrderId },
    { orderBy: { createdAt: 'asc', sequence: 'asc' } },
  );
  return rows.sort((a, b) => (a.type === b.type ? 0 : a.type === 'invoice' ? -1 : 1)).map(toInvoiceView);
}
