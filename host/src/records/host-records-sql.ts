import { randomUUID } from 'node:crypto';
import type { PgLikeClient } from '../db/pglite-pool.ts';
import type { CustomerDraft, ProductDraft } from './invoice-draft.ts';
import { unnestSelect } from './sql.ts';

/**
 * Customers and products, upserted many rows per statement on their unique
 * (tenant, source, externalId): the marketplace's latest data wins. Rows are deduplicated and
 * sorted by key first: one statement may not touch a row twice, and a fixed order keeps two
 * concurrent batches from deadlocking on each other's rows.
 */

export interface HostRecordScope {
  tenantId: string;
  /** The plugin id: customers and products are keyed per marketplace. */
  source: string;
}

function dedupeSorted<T extends { externalId: string }>(items: readonly T[]): T[] {
  const byId = new Map<string, T>();
  for (const item of items) byId.set(item.externalId, item);
  return [...byId.values()].sort((a, b) =>
    a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0,
  );
}

/** Upserts customers; returns externalId → customer id. */
export async function upsertCustomers(
  client: PgLikeClient,
  scope: HostRecordScope,
  customers: readonly CustomerDraft[],
): Promise<Map<string, string>> {
  const rows = dedupeSorted(customers);
  if (rows.length === 0) return new Map();
  const select = unnestSelect<CustomerDraft>({
    firstParam: 3,
    rows,
    columns: [
      { name: 'id', type: 'uuid', value: () => randomUUID() },
      { name: 'external_id', type: 'text', value: (c) => c.externalId },
      { name: 'name', type: 'text', value: (c) => c.name },
      { name: 'company_name', type: 'text', value: (c) => c.companyName },
      { name: 'tax_id', type: 'text', value: (c) => c.taxId },
      { name: 'email', type: 'text', value: (c) => c.email },
      { name: 'phone', type: 'text', value: (c) => c.phone },
      {
        name: 'address',
        type: 'text',
        cast: 'jsonb',
        value: (c) => (c.address ? JSON.stringify(c.address) : null),
      },
    ],
    extra: ['$1::uuid', '$2::text', 'now()', 'now()'],
  });
  const result = await client.query<{ id: string; external_id: string }>(
    `insert into customers (id, external_id, name, company_name, tax_id, email, phone, address, tenant_id, source, created_at, updated_at)
     ${select.text}
     on conflict (tenant_id, source, external_id) do update
       set name = excluded.name, company_name = excluded.company_name, tax_id = excluded.tax_id, email = excluded.email,
           phone = excluded.phone, address = excluded.address, updated_at = excluded.updated_at
     returning id, external_id`,
    [scope.tenantId, scope.source, ...select.values],
  );
  return new Map(result.rows.map((r) => [r.external_id, r.id]));
}

/** Upserts products; returns externalId → product id. */
export async function upsertProducts(
  client: PgLikeClient,
  scope: HostRecordScope,
  products: readonly ProductDraft[],
): Promise<Map<string, string>> {
  const rows = dedupeSorted(products);
  if (rows.length === 0) return new Map();
  const select = unnestSelect<ProductDraft>({
    firstParam: 3,
    rows,
    columns: [
      { name: 'id', type: 'uuid', value: () => randomUUID() },
      { name: 'external_id', type: 'text', value: (p) => p.externalId },
      { name: 'sku', type: 'text', value: (p) => p.sku },
      { name: 'name', type: 'text', value: (p) => p.name },
      { name: 'vat_rate', type: 'numeric', value: (p) => p.vatRate },
      { name: 'unit_price', type: 'numeric', value: (p) => p.unitPrice },
      { name: 'currency', type: 'text', value: (p) => p.currency },
    ],
    extra: ['$1::uuid', '$2::text', 'now()', 'now()'],
  });
  const result = await client.query<{ id: string; external_id: string }>(
    `insert into products (id, external_id, sku, name, vat_rate, unit_price, currency, tenant_id, source, created_at, updated_at)
     ${select.text}
     on conflict (tenant_id, source, external_id) do update
       set sku = excluded.sku, name = excluded.name, vat_rate = excluded.vat_rate,
           unit_price = coalesce(excluded.unit_price, products.unit_price),
           currency = coalesce(excluded.currency, products.currency), updated_at = excluded.updated_at
     returning id, external_id`,
    [scope.tenantId, scope.source, ...select.values],
  );
  return new Map(result.rows.map((r) => [r.external_id, r.id]));
}
