import type { Database } from '../db/orm.ts';

/** One invoice line as stored, with the product and customer it was linked to. */
export interface StoredLine {
  external_order_id: string;
  name: string;
  quantity: string;
  vat_rate: string;
  product_external_id: string | null;
  customer_external_id: string | null;
  customer_tax_id: string | null;
  customer_company: string | null;
}

/** An integration's invoice lines in order, grouped by the marketplace order they came from. */
export async function storedLinesByOrder(
  db: Database,
  integrationId: string,
): Promise<Map<string, StoredLine[]>> {
  const { rows } = await db.pool.query<StoredLine>(
    `select i.external_order_id, l.name, l.quantity::text, l.vat_rate::text,
            p.external_id as product_external_id, c.external_id as customer_external_id,
            c.tax_id as customer_tax_id, c.company_name as customer_company
       from invoices i join invoice_lines l on l.invoice_id = i.id
       left join products p on p.id = l.product_id
       left join customers c on c.id = i.customer_id
      where i.integration_id = $1 order by i.external_order_id, l.position`,
    [integrationId],
  );
  return Map.groupBy(rows, (r) => r.external_order_id);
}
