import type { LedgerEntry, PluginLedger } from '@mch/plugin-sdk';
import type { SqlPool } from '../../db/orm.ts';

interface Row {
  kind: string;
  external_id: string;
  revision: string | null;
  host_id: string | null;
  updated_at: Date | string;
}

/** `ctx.ledger`: the external records this integration has processed (read side). */
export function createPluginLedger(options: { pool: SqlPool; integrationId: string }): PluginLedger {
  const { pool, integrationId } = options;
  const get = async (kind: string, externalId: string): Promise<LedgerEntry | undefined> => {
    const { rows } = await pool.query<Row>(
      `select kind, external_id, revision, host_id, updated_at from external_records
        where integration_id = $1 and kind = $2 and external_id = $3`,
      [integrationId, kind, externalId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      kind: row.kind,
      externalId: row.external_id,
      revision: row.revision ?? '',
      ...(row.host_id ? { hostId: row.host_id } : {}),
      seenAt: new Date(row.updated_at).toISOString(),
    };
  };
  return {
    get,
    async has(kind, externalId, revision) {
      return (await get(kind, externalId))?.revision === revision;
    },
  };
}
