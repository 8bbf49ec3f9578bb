import type { InvoiceSummary, PluginInvoices } from '@mch/plugin-sdk';
import type { SqlPool } from '../../db/orm.ts';
import type { InvoiceLinkSigner } from '../../invoicing/public-url.ts';

/** What the plugin context needs of `InvoiceDocuments`. */
export interface InvoicePdfs {
  pdf(invoiceId: string): Promise<Uint8Array | undefined>;
  /** Render ahead: the PDF is about to be downloaded. */
  prepare(invoiceId: string): void;
}

interface Row {
  id: string;
  number: string;
  external_order_id: string | null;
  status: InvoiceSummary['status'];
  currency: string;
  gross_total: string;
  issue_date: string;
}

const COLUMNS = 'i.id, i.number, i.external_order_id, i.status, i.currency, i.gross_total, i.issue_date';
const toSummary = (r: Row): InvoiceSummary => ({
  id: r.id,
  number: r.number,
  externalOrderId: r.external_order_id,
  status: r.status,
  currency: r.currency,
  grossTotal: String(r.gross_total),
  issueDate: r.issue_date,
});

/**
 * The generic "delivery after clearance" rule (SPEC "Plugins"): while a clearance plugin is active
 * for the invoice's company, a document it takes goes to the marketplace only once it has its
 * clearance number (or the plugin said it needs none). A document issued before the plugin was
 * connected is not held. `$4`: the clearance plugins' ids.
 */
const AFTER_CLEARANCE = `(i.clearance ->> 'number' is not null or i.clearance ->> 'status' = 'not-required'
  or not exists (select 1 from integrations ci
                  where ci.tenant_id = i.tenant_id and ci.company_id = i.company_id
                    and ci.plugin_id = any($4::text[]) and ci.status in ('active', 'degraded')
                    and ci.created_at <= i.created_at))`;

/** `ctx.invoices`: the integration's own invoices only (every query is scoped by integration). */
export function createPluginInvoices(options: {
  pool: SqlPool;
  integrationId: string;
  documents: InvoicePdfs;
  signer: InvoiceLinkSigner;
  /** Plugins of the company's documents that marketplace delivery waits for (clearance first). */
  clearancePluginIds?: readonly string[];
}): PluginInvoices {
  const { pool, integrationId } = options;
  // Invoices this context has already found in the integration (an invoice never changes hands).
  const own = new Set<string>();
  const remember = (rows: Row[]) => {
    for (const r of rows) own.add(r.id);
    return rows.map(toSummary);
  };
  const get = async (invoiceId: string) => {
    const { rows } = await pool.query<Row>(
      `select ${COLUMNS} from invoices i where i.id = $1 and i.integration_id = $2`,
      [invoiceId, integrationId],
    );
    return remember(rows)[0];
  };
  const assertOwn = async (invoiceId: string) => {
    if (!own.has(invoiceId) && !(await get(invoiceId)))
      throw new Error(`Invoice ${invoiceId} is not one of this integration's invoices.`);
  };
  return {
    get,
    async without(operationKind, limit) {
      // One probe of the (integration, kind, key) unique index per invoice, whatever the planner's
      // statistics say: a bulk import can record tens of thousands of operations before ANALYZE
      // runs, and a materialised anti-join over them would compare every pair.
      const { rows } = await pool.query<Row>(
        `select ${COLUMNS} from invoices i
           left join lateral (select 1 as done from outbound_operations o
                               where o.integration_id = $1 and o.kind = $2
                                 and o.idempotency_key = i.external_order_id
                                 and o.status in ('succeeded', 'dead')
                               limit 1) op on true
          where i.integration_id = $1 and i.external_order_id is not null and i.status <> 'cancelled'
            and i.type = 'invoice'
            and op.done is null
            and ${AFTER_CLEARANCE}
          order by i.created_at, i.sequence
          limit $3`,
        [integrationId, operationKind, limit, options.clearancePluginIds ?? []],
      );
      return remember(rows);
    },
    async pdf(invoiceId) {
      await assertOwn(invoiceId);
      const pdf = await options.documents.pdf(invoiceId);
      if (!pdf) throw new Error(`Invoice ${invoiceId} no longer exists.`);
      return pdf;
    },
    async publicUrl(invoiceId) {
      await assertOwn(invoiceId);
      // A public link is asked for right before the marketplace is told to fetch it.
      options.documents.prepare(invoiceId);
      return options.signer.url(invoiceId);
    },
  };
}
