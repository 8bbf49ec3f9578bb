import type { Database } from '../../db/orm.ts';
import { Invoice } from '../../db/entities/invoice.entity.ts';
import { invoiceOrder, invoiceWhere, type InvoiceFilters } from './invoices.ts';

/**
 * `GET /api/v1/invoices.csv` (SPEC "Interfaces"): the filtered set as CSV in the list's order, read
 * in pages through a server-side cursor, so memory stays flat however many documents match.
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

/** The CSV's columns straight from the row (no entity, no document parsed in JavaScript). */
const SELECT = `i.id, i.type, i.series_code, i.number, i.issue_date, i.sale_date, i.plugin_id,
  i.integration_id, i.external_order_id,
  coalesce(i.document -> 'buyer' ->> 'companyName', i.document -> 'buyer' ->> 'name',
           i.buyer ->> 'name', i.buyer ->> 'companyName') as buyer_name,
  i.document -> 'buyer' -> 'taxIds' -> 0 ->> 'value' as buyer_tax_id,
  i.currency, i.net_total::text as net_total, i.vat_total::text as vat_total,
  i.gross_total::text as gross_total, i.status, i.corrects,
  case when i.clearance ->> 'status' in ('pending', 'sent', 'accepted', 'rejected', 'offline')
       then i.clearance ->> 'authority' end as clearance_authority,
  case when i.clearance ->> 'status' in ('pending', 'sent', 'accepted', 'rejected', 'offline')
       then i.clearance ->> 'status' end as clearance_status,
  i.clearance ->> 'number' as clearance_number,
  i.clearance -> 'due' ->> 'by' as clearance_deadline`;

/** Which columns are text a person typed or a marketplace sent (defused), which are dates or amounts. */
const COLUMNS: [string, boolean][] = [
  ['id', true],
  ['type', true],
  ['series_code', true],
  ['number', true],
  ['issue_date', false],
  ['sale_date', false],
  ['plugin_id', true],
  ['integration_id', true],
  ['external_order_id', true],
  ['buyer_name', true],
  ['buyer_tax_id', true],
  ['currency', true],
  ['net_total', false],
  ['vat_total', false],
  ['gross_total', false],
  ['status', true],
  ['corrects', true],
  ['clearance_authority', true],
  ['clearance_status', true],
  ['clearance_number', true],
  ['clearance_deadline', false],
];

/** Every selected column is text (ids, dates as `YYYY-MM-DD`, amounts cast to text) or null. */
type CsvRecord = Record<string, string | null>;

const csvRow = (row: CsvRecord) => COLUMNS.map(([column, text]) => csvField(row[column], text)).join(',');

/** The list's order as SQL over the selected rows (the ORM's property names as columns). */
const COLUMN_OF: Record<string, string> = {
  createdAt: 'created_at',
  sequence: 'sequence',
  issueDate: 'issue_date',
  number: 'number',
  grossTotal: 'gross_total',
  id: 'id',
};

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
  // The ORM writes the filters (the same as the list's); the columns are read as plain SQL.
  const matching = em
    .createQueryBuilder(Invoice, 'i')
    .select('*')
    .where(await invoiceWhere(em, filters))
    .getFormattedQuery();
  const order = Object.entries(invoiceOrder(filters.sort))
    .map(([property, direction]) => `i.${COLUMN_OF[property] ?? 'id'} ${direction}`)
    .join(', ');
  const sql = `select ${SELECT} from (${matching}) i order by ${order}`;
  if (db.kind === 'embedded') {
    for (let offset = 0; ; offset += pageSize) {
      const { rows } = await db.pool.query<CsvRecord>(`${sql} limit ${pageSize} offset ${offset}`);
      if (rows.length > 0) yield `${rows.map(csvRow).join('\r\n')}\r\n`;
      if (rows.length < pageSize) return;
    }
  }
  const client = await db.pool.connect();
  let open = false;
  try {
    await client.query('begin isolation level repeatable read read only');
    open = true;
    await client.query(`declare invoices_csv no scroll cursor for ${sql}`);
    for (;;) {
      const { rows } = await client.query<CsvRecord>(`fetch ${pageSize} from invoices_csv`);
      if (rows.length === 0) break;
      yield `${rows.map(csvRow).join('\r\n')}\r\n`;
    }
    await client.query('commit');
    open = false;
  } finally {
    // The reader went away mid-export (or a statement failed): end the snapshot, free the connection.
    if (open) await client.query('rollback').catch(() => undefined);
    client.release();
  }
}
