import { randomUUID } from 'node:crypto';
import type { PgLikeClient } from '../db/pglite-pool.ts';
import { prepared } from '../db/prepared.ts';
import { unnestSelect } from './sql.ts';

/**
 * The external-records ledger (SPEC "Sync engine": an order never yields two invoices). Its
 * unique (integration, kind, externalId) row is the claim: whoever inserts or advances it in
 * its transaction processes that revision; a concurrent process blocks on the row and then
 * finds nothing to do.
 */

export interface LedgerScope {
  tenantId: string;
  integrationId: string;
  kind: string;
}

export interface LedgerRow {
  externalId: string;
  revision: string | null;
  contentHash: string | null;
  hostId: string | null;
  status: string;
}

export interface LedgerClaim {
  externalId: string;
  revision: string;
  contentHash: string;
  /** The invoice this claim will create, set on the row in the same transaction. */
  plannedHostId: string | null;
  status: string;
}

type Raw = {
  external_id: string;
  revision: string | null;
  content_hash: string | null;
  host_id: string | null;
  status: string;
};
const toRow = (r: Raw): LedgerRow => ({
  externalId: r.external_id,
  revision: r.revision,
  contentHash: r.content_hash,
  hostId: r.host_id,
  status: r.status,
});

export async function readLedger(
  client: PgLikeClient,
  scope: LedgerScope,
  externalIds: readonly string[],
): Promise<Map<string, LedgerRow>> {
  const result = await client.query<Raw>(
    `select e.external_id, e.revision, e.content_hash, e.host_id, e.status
       from unnest($3::text[]) k(external_id) cross join lateral (
         select external_id, revision, content_hash, host_id, status from external_records
          where integration_id = $1 and kind = $2 and external_id = k.external_id
          limit 1) e`,
    [scope.integrationId, scope.kind, externalIds],
  );
  return new Map(result.rows.map((r) => [r.external_id, toRow(r)]));
}

/**
 * Claims every record as new in one statement: inserts the ledger rows of records never seen
 * (`won`) and returns the rows of those known before it started (`known`). A row a concurrent
 * transaction inserted meanwhile is in neither (we waited for it; it was not in our snapshot):
 * the caller reads it again. The known rows are read one index probe per record (see sql.ts).
 */
export async function claimNew(
  client: PgLikeClient,
  scope: LedgerScope,
  claims: readonly LedgerClaim[],
): Promise<{ won: Set<string>; known: Map<string, LedgerRow> }> {
  if (claims.length === 0) return { won: new Set(), known: new Map() };
  const select = unnestSelect<LedgerClaim>({
    firstParam: 4,
    columns: [
      { name: 'id', type: 'uuid', value: () => randomUUID() },
      { name: 'external_id', type: 'text', value: (c) => c.externalId },
      { name: 'revision', type: 'text', value: (c) => c.revision },
      { name: 'content_hash', type: 'text', value: (c) => c.contentHash },
      { name: 'host_id', type: 'uuid', value: (c) => c.plannedHostId },
      { name: 'status', type: 'text', value: (c) => c.status },
    ],
    rows: claims,
    extra: [
      '$1::uuid',
      '$2::uuid',
      '$3::text',
      `case when u.host_id is null then null else 'invoice' end`,
      'now()',
      'now()',
    ],
  });
  const result = await client.query<Raw & { won: boolean }>(
    prepared(
      `with input (id, external_id, revision, content_hash, host_id, status, tenant_id, integration_id, kind, host_type, created_at, updated_at) as (
       ${select.text}),
     ins as (
       insert into external_records (id, external_id, revision, content_hash, host_id, status, tenant_id, integration_id, kind, host_type, created_at, updated_at)
       select * from input
       on conflict (integration_id, kind, external_id) do nothing
       returning external_id)
     select external_id, null as revision, null as content_hash, null::uuid as host_id, null as status, true as won from ins
     union all
     select e.external_id, e.revision, e.content_hash, e.host_id, e.status, false as won
       from input i cross join lateral (
         select external_id, revision, content_hash, host_id, status from external_records
          where integration_id = $2 and kind = $3 and external_id = i.external_id
          limit 1) e`,
      [scope.tenantId, scope.integrationId, scope.kind, ...select.values],
    ),
  );
  const won = new Set<string>();
  const known = new Map<string, LedgerRow>();
  for (const row of result.rows) {
    if (row.won) won.add(row.external_id);
    else known.set(row.external_id, toRow(row));
  }
  return { won, known };
}

/**
 * Advances ledger rows to a new revision with new content, or gives a row recorded without an
 * invoice the invoice planned for it (both re-checked under the row lock, so of two concurrent
 * imports only the first does it); a row that already
 * has an invoice keeps it (`plannedHostId` only fills an empty slot). Returns, per won id, the
 * host id the row ends with.
 */
export async function claimChanged(
  client: PgLikeClient,
  scope: LedgerScope,
  claims: readonly LedgerClaim[],
): Promise<Map<string, { hostId: string | null }>> {
  if (claims.length === 0) return new Map();
  const result = await client.query<{ external_id: string; host_id: string | null }>(
    `update external_records e
        set revision = u.revision, content_hash = u.content_hash, updated_at = now(),
            host_id = coalesce(e.host_id, u.host_id),
            host_type = case when coalesce(e.host_id, u.host_id) is null then e.host_type else 'invoice' end,
            status = case when e.host_id is null then u.status else e.status end
       from unnest($3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[]) as u(external_id, revision, content_hash, host_id, status)
      where e.integration_id = $1 and e.kind = $2 and e.external_id = u.external_id
        and ((e.revision is distinct from u.revision and e.content_hash is distinct from u.content_hash)
             or (e.host_id is null and e.status = 'recorded' and u.host_id is not null))
      returning e.external_id, e.host_id`,
    [
      scope.integrationId,
      scope.kind,
      claims.map((c) => c.externalId),
      claims.map((c) => c.revision),
      claims.map((c) => c.contentHash),
      claims.map((c) => c.plannedHostId),
      claims.map((c) => c.status),
    ],
  );
  return new Map(result.rows.map((r) => [r.external_id, { hostId: r.host_id }]));
}

/** Sets the status of ledger rows (e.g. `cancelled` once their invoice is cancelled). */
export async function setLedgerStatus(
  client: PgLikeClient,
  scope: LedgerScope,
  externalIds: readonly string[],
  status: string,
): Promise<void> {
  if (externalIds.length === 0) return;
  await client.query(
    'update external_records set status = $4 where integration_id = $1 and kind = $2 and external_id = any($3::text[])',
    [scope.integrationId, scope.kind, externalIds, status],
  );
}
