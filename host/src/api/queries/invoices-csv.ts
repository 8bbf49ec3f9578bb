import type { Database } from '../../db/orm.ts';
import { Invoice, type IInvoice } from '../../db/entities/invoice.entity.ts';
import { invoiceOrder, invoiceWhere, toInvoiceView, type InvoiceFilters } from './invoices.ts';

/**
 * `GET /api/v1/invoices.csv` (SPEC "Interfaces"): the filtered set as CSV, read in pages through a
 * cursor on the list's own order, so memory stays flat however many documents match.
 */

const HEADER = [
  'id',
  'type',
  'series',
  'number',
  'issue_date',
  'sale_date',
  'plugin',
  'integration_id',
  'marketplace_order',
  'buyer',
  'buyer_tax_id',
  'currency',
  'total_net',
  'total_vat',
  'total_gross',
  'status',
  'corrects',
  'clearance_authority',
  'clearance_status',
  'clearance_number',
  'clearance_deadline',
] as const;

/** One CSV field: quoted when it must be; text a spreadsheet would run as a formula is defused. */
export function csvField(value: string | null | undefined, text = true): string {
  let v = value ?? '';
  if (text && /^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function csvRow(row: IInvoice): string {
  const view = toInvoiceView(row);
  const taxIds = row.document?.buyer.taxIds ?? [];
  const fields: [string | null, boolean][] = [
    [view.id, true],
    [view.type, true],
    [view.series, true],
    [view.number, true],
    [view.issueDate, false],
    [view.saleDate, false],
    [view.pluginId, true],
    [view.integrationId, true],
    [view.externalOrderId, true],
    [view.buyerName, true],
    [taxIds[0]?.value ?? null, true],
    [view.currency, true],
    [view.totalNet, false],
    [view.totalVat, false],
    [view.totalGross, false],
    [view.status, true],
    [view.corrects, true],
    [view.clearance?.authority ?? null, true],
    [view.clearance?.status ?? null, true],
    [view.clearance?.number ?? null, true],
    [view.clearance?.deadline ?? null, false],
  ];
  return fields.map(([v, text]) => csvField(v, text)).join(',');
}

/**
 * The CSV text in chunks: the header, then one chunk per page of `pageSize` documents. On a
 * PostgreSQL server the rows come through a server-side cursor in one read-only snapshot (no page
 * skipped or repeated while documents are being issued, and no growing OFFSET); the embedded
 * database, which serves one statement at a time, is read in pages instead of being held.
 */
export async function* invoicesCsv(
  db: Pick<Database, 'kind' | 'pool' | 'orm'>,
  filters: InvoiceFilters,
  pageSize = 1000,
): AsyncGenerator<string> {
  yield `${HEADER.join(',')}\r\n`;
  const em = db.orm.em.fork();
  const where = await invoiceWhere(em, filters);
  const orderBy = invoiceOrder(filters.sort);
  if (db.kind === 'embedded') {
    for (let offset = 0; ; offset += pageSize) {
      const page = await db.orm.em.fork().find(Invoice, await invoiceWhere(em, filters), {
        orderBy,
        limit: pageSize,
        offset,
      });
      if (page.length > 0) yield `${page.map(csvRow).join('\r\n')}\r\n`;
      if (page.length < pageSize) return;
    }
  }
  const sql = em.createQueryBuilder(Invoice).select('*').where(where).orderBy(orderBy).getFormattedQuery();
  const client = await db.pool.connect();
  let open = false;
  try {
    await client.query('begin isolation level repeatable read read only');
    open = true;
    await client.query(`declare invoices_csv no scroll cursor for ${sql}`);
    for (;;) {
      const { rows } = await client.query<Record<string, unknown>>(`fetch ${pageSize} from invoices_csv`);
      if (rows.length === 0) break;
      // A fresh context per page: the identity map does not grow with the export.
      const page = db.orm.em.fork();
      yield `${rows.map((r) => csvRow(page.map(Invoice, r))).join('\r\n')}\r\n`;
    }
    await client.query('commit');
    open = false;
  } finally {
    // The reader went away mid-export (or a statement failed): end the snapshot, free the connection.
    if (open) await client.query('rollback').catch(() => undefined);
    client.release();
  }
}
