import {
  ConfigError,
  type CorrectionLine,
  type CorrectionOutcome,
  type InvoiceSummary,
  type PluginCorrections,
} from '@mch/plugin-sdk';
import type { SqlPool } from '../../db/orm.ts';
import { CorrectionError, type CorrectionLineRequest } from '../../invoicing/correction-document.ts';
import type { FrozenDocument } from '../../invoicing/frozen-document.ts';
import { issueCorrection } from '../../records/correction-sql.ts';
import { inTransaction } from '../../records/sql.ts';

interface Row {
  id: string;
  number: string;
  external_order_id: string | null;
  status: InvoiceSummary['status'];
  currency: string;
  gross_total: string;
  issue_date: string;
  corrects: string;
}

const COLUMNS =
  'i.id, i.number, i.external_order_id, i.status, i.currency, i.gross_total::text as gross_total, i.issue_date, i.corrects';
const toSummary = (r: Row): InvoiceSummary & { corrects: string } => ({
  id: r.id,
  number: r.number,
  externalOrderId: r.external_order_id,
  status: r.status,
  currency: r.currency,
  grossTotal: String(r.gross_total),
  issueDate: r.issue_date,
  corrects: r.corrects,
});

/** Lines named by SKU are found on the invoice; a SKU it lacks, or has twice, is refused. */
function byPosition(document: FrozenDocument, lines: readonly CorrectionLine[]): CorrectionLineRequest[] {
  return lines.map((line, i) => {
    let position = line.position;
    if (position === undefined && line.sku !== undefined) {
      const found = document.lines.filter((l) => l.sku === line.sku);
      if (found.length !== 1)
        throw new ConfigError(
          found.length === 0
            ? `Invoice ${document.number} has no line with SKU ${line.sku}.`
            : `Invoice ${document.number} has ${found.length} lines with SKU ${line.sku}; name the line by its position.`,
          { pointer: `/lines/${i}/sku` },
        );
      position = found[0]!.position;
    }
    if (position === undefined)
      throw new ConfigError('Each corrected line needs its position or SKU.', { pointer: `/lines/${i}` });
    return {
      position,
      ...(line.quantity !== undefined ? { quantity: line.quantity } : {}),
      ...(line.amount !== undefined ? { amount: line.amount } : {}),
    };
  });
}

/** `ctx.corrections`: corrections of this integration's invoices only. */
export function createPluginCorrections(options: {
  pool: SqlPool;
  tenantId: string;
  integrationId: string;
}): PluginCorrections {
  const { pool, tenantId, integrationId } = options;
  return {
    async request(request): Promise<CorrectionOutcome> {
      const { rows } = await pool.query<{ id: string; document: FrozenDocument | null }>(
        `select id, document from invoices where integration_id = $1 and external_order_id = $2 and type = 'invoice'`,
        [integrationId, request.externalOrderId],
      );
      const invoice = rows[0];
      if (!invoice) return { status: 'no-invoice' };
      let issued;
      try {
        const scope = request.lines
          ? { lines: invoice.document ? byPosition(invoice.document, request.lines) : [] }
          : { all: true as const };
        issued = await inTransaction(pool, (client) =>
          issueCorrection(client, {
            tenantId,
            integrationId,
            invoiceId: invoice.id,
            key: request.key,
            kind: request.kind,
            reason: request.reason,
            scope,
          }),
        );
      } catch (error) {
        if (error instanceof CorrectionError) throw new ConfigError(error.message);
        throw error;
      }
      const { rows: done } = await pool.query<Row>(`select ${COLUMNS} from invoices i where i.id = $1`, [
        issued.id,
      ]);
      return { status: 'issued', created: issued.created, correction: toSummary(done[0]!) };
    },
    async of(externalOrderId) {
      const { rows } = await pool.query<Row>(
        `select ${COLUMNS} from invoices i
          where i.integration_id = $1 and i.external_order_id = $2 and i.type = 'correction'
          order by i.created_at, i.sequence`,
        [integrationId, externalOrderId],
      );
      return rows.map(toSummary);
    },
    async without(operationKind, limit) {
      const { rows } = await pool.query<Row>(
        `select ${COLUMNS} from invoices i
          where i.integration_id = $1 and i.type = 'correction' and i.external_order_id is not null
            and not exists (select 1 from outbound_operations o
                             where o.integration_id = $1 and o.kind = $2 and o.idempotency_key = i.id::text
                               and o.status in ('succeeded', 'dead'))
          order by i.created_at, i.sequence
          limit $3`,
        [integrationId, operationKind, limit],
      );
      return rows.map(toSummary);
    },
  };
}
