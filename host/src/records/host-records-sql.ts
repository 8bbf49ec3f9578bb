import { randomUUID } from 'node:crypto';
import type { PgLikeClient } from '../db/pglite-pool.ts';
import { prepared } from '../db/prepared.ts';
import type { CustomerDraft, ProductDraft } from './invoice-draft.ts';
import { type Column, unnestSelect } from './sql.ts';

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

interface UpsertSpec<Row> {
  table: 'customers' | 'products';
  columns: Column<Row>[];
  /** `col = expr` pairs of the DO UPDATE; a row whose values already equal them is not rewritten. */
  set: Record<string, string>;
}

/**
 * `INSERT … ON CONFLICT DO UPDATE … WHERE changed`, returning every row's id: rewritten and new
 * rows from RETURNING, untouched ones from the table (one index probe per row, see sql.ts).
 * Re-importing known buyers and offers (most of a sync) then writes nothing. A row inserted
 * meanwhile by a concurrent, not yet visible transaction is read once more after the statement.
 */
async function upsert<Row extends { externalId: string }>(
  client: PgLikeClient,
  scope: HostRecordScope,
  spec: UpsertSpec<Row>,
  items: readonly Row[],
): Promise<Map<string, string>> {
  const rows = dedupeSorted(items);
  if (rows.length === 0) return new Map();
  const select = unnestSelect<Row>({
    firstParam: 3,
    rows,
    columns: spec.columns,
    extra: ['$1::uuid', '$2::text', 'now()', 'now()'],
  });
  const names = [...spec.columns.map((c) => c.name), 'tenant_id', 'source', 'created_at', 'updated_at'].join(
    ', ',
  );
  const setList = Object.entries(spec.set).map(([col, expr]) => `${col} = ${expr}`);
  const current = Object.keys(spec.set).map((col) => `${spec.table}.${col}`);
  const result = await client.query<{ id: string; external_id: string }>(
    prepared(
      `with input (${names}) as (${select.text}),
     up as (
       insert into ${spec.table} (${names}) select * from input
       on conflict (tenant_id, source, external_id) do update set ${setList.join(', ')}, updated_at = excluded.updated_at
       where (${current.join(', ')}) is distinct from (${Object.values(spec.set).join(', ')})
       returning id, external_id)
     select id, external_id from up
     union all
     select t.id, t.external_id from input i cross join lateral (
       select id, external_id from ${spec.table}
        where tenant_id = $1 and source = $2 and external_id = i.external_id
        limit 1) t
      where not exists (select 1 from up where up.external_id = t.external_id)`,
      [scope.tenantId, scope.source, ...select.values],
    ),
  );
  const ids = new Map(result.rows.map((r) => [r.external_id, r.id]));
  const missing = rows.filter((r) => !ids.has(r.externalId)).map((r) => r.externalId);
  if (missing.length) {
    const again = await client.query<{ id: string; external_id: string }>(
      `select id, external_id from ${spec.table} where tenant_id = $1 and source = $2 and external_id = any($3::text[])`,
      [scope.tenantId, scope.source, missing],
    );
    for (const r of again.rows) ids.set(r.external_id, r.id);
  }
  return ids;
}

/** Upserts customers; returns externalId → customer id. */
export function upsertCustomers(
  client: PgLikeClient,
  scope: HostRecordScope,
  customers: readonly CustomerDraft[],
): Promise<Map<string, string>> {
  return upsert(
    client,
    scope,
    {
      table: 'customers',
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
      set: {
        name: 'excluded.name',
        company_name: 'excluded.company_name',
        tax_id: 'excluded.tax_id',
        email: 'excluded.email',
        phone: 'excluded.phone',
        address: 'excluded.address',
      },
    },
    customers,
  );
}

/** Upserts products; returns externalId → product id. A record without a price keeps the known one. */
export function upsertProducts(
  client: PgLikeClient,
  scope: HostRecordScope,
  products: readonly ProductDraft[],
): Promise<Map<string, string>> {
  return upsert(
    client,
    scope,
    {
      table: 'products',
      columns: [
        { name: 'id', type: 'uuid', value: () => randomUUID() },
        { name: 'external_id', type: 'text', value: (p) => p.externalId },
        { name: 'sku', type: 'text', value: (p) => p.sku },
        { name: 'name', type: 'text', value: (p) => p.name },
        { name: 'vat_rate', type: 'numeric', value: (p) => p.vatRate },
        { name: 'unit_price', type: 'numeric', value: (p) => p.unitPrice },
        { name: 'currency', type: 'text', value: (p) => p.currency },
      ],
      set: {
        sku: 'excluded.sku',
        name: 'excluded.name',
        vat_rate: 'excluded.vat_rate',
        unit_price: 'coalesce(excluded.unit_price, products.unit_price)',
        currency: 'coalesce(excluded.currency, products.currency)',
      },
    },
    products,
  );
}
