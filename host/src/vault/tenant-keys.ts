import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { openBytes, parseEnvelope, sealBytes } from './aes-gcm.ts';
import { VaultError } from '../errors.ts';
import { masterKeyId } from './master-key.ts';
import { sqlRows } from './raw-sql.ts';

/** A tenant's unwrapped data key and its id (hash prefix, carried in every envelope it seals). */
export interface DataKey {
  key: Buffer;
  id: string;
}

export interface TenantKeyRow {
  tenantId: string;
  wrappedKey: string;
  masterKeyId: string;
}

export function dataKeyId(key: Buffer): string {
  return createHash('sha256').update('mch-data-key\0').update(key).digest('hex').slice(0, 16);
}

/** The wrap binds the tenant id, so a wrapped key copied to another tenant's row does not unwrap. */
const wrapAad = (tenantId: string) => `mch:tenant-key:${tenantId}`;

export function wrapDataKey({
  masterKey,
  tenantId,
  dataKey,
}: {
  masterKey: Buffer;
  tenantId: string;
  dataKey: Buffer;
}): string {
  return sealBytes({
    key: masterKey,
    keyId: masterKeyId(masterKey),
    plaintext: dataKey,
    aad: wrapAad(tenantId),
  });
}

export function unwrapDataKey({ masterKey, row }: { masterKey: Buffer; row: TenantKeyRow }): DataKey {
  const currentId = masterKeyId(masterKey);
  if (row.masterKeyId !== currentId) {
    throw new VaultError(
      'VAULT_WRONG_MASTER_KEY',
      `The master key in use (id ${currentId}) differs from the one that wrapped tenant ${row.tenantId}'s data key ` +
        `(id ${row.masterKeyId}). Set HOST_MASTER_KEY (or restore DATA_DIR/master.key) to the key with id ` +
        `${row.masterKeyId}; to change keys, run \`keys rotate\` while the old key is still configured.`,
    );
  }
  const envelope = parseEnvelope(row.wrappedKey, `wrapped data key of tenant ${row.tenantId}`);
  const key = openBytes({
    key: masterKey,
    envelope,
    aad: wrapAad(row.tenantId),
    tamperedMessage:
      `Tenant ${row.tenantId}'s wrapped data key failed authentication under master key ${currentId}: ` +
      `the tenant_keys row was altered or copied from another tenant. Restore it from a backup.`,
  });
  return { key, id: dataKeyId(key) };
}

type Row = { tenant_id: string; wrapped_key: string; master_key_id: string };
const toRow = (r: Row): TenantKeyRow => ({
  tenantId: r.tenant_id,
  wrappedKey: r.wrapped_key,
  masterKeyId: r.master_key_id,
});

async function selectRow(em: EntityManager, tenantId: string): Promise<TenantKeyRow | undefined> {
  const rows = await sqlRows<Row>(
    em,
    'select tenant_id, wrapped_key, master_key_id from tenant_keys where tenant_id = ?',
    [tenantId],
  );
  return rows[0] ? toRow(rows[0]) : undefined;
}

/**
 * The tenant's data key, created on first use. Raw SQL with `on conflict do nothing` lets two
 * processes race to create it: the loser reads the winner's key instead of failing.
 */
export async function loadOrCreateDataKey({
  em,
  masterKey,
  tenantId,
}: {
  em: EntityManager;
  masterKey: Buffer;
  tenantId: string;
}): Promise<DataKey> {
  const existing = await selectRow(em, tenantId);
  if (existing) return unwrapDataKey({ masterKey, row: existing });
  const dataKey = randomBytes(32);
  await em
    .getConnection()
    .execute(
      'insert into tenant_keys (id, tenant_id, wrapped_key, master_key_id, created_at) values (?, ?, ?, ?, ?) on conflict (tenant_id) do nothing',
      [
        randomUUID(),
        tenantId,
        wrapDataKey({ masterKey, tenantId, dataKey }),
        masterKeyId(masterKey),
        new Date(),
      ],
      'run',
      em.getTransactionContext(),
    );
  const row = await selectRow(em, tenantId);
  if (!row) throw new Error(`Tenant ${tenantId}'s data key could not be stored (does the tenant exist?).`);
  return unwrapDataKey({ masterKey, row });
}

export async function listTenantKeyRows(
  em: EntityManager,
  options: { forUpdate?: boolean; tenantId?: string } = {},
): Promise<TenantKeyRow[]> {
  const where = options.tenantId === undefined ? '' : ' where tenant_id = ?';
  const lock = options.forUpdate ? ' for update' : '';
  const rows = await sqlRows<Row>(
    em,
    `select tenant_id, wrapped_key, master_key_id from tenant_keys${where} order by tenant_id${lock}`,
    options.tenantId === undefined ? [] : [options.tenantId],
  );
  return rows.map(toRow);
}

export async function updateTenantKeyRow(em: EntityManager, row: TenantKeyRow): Promise<void> {
  await em
    .getConnection()
    .execute(
      'update tenant_keys set wrapped_key = ?, master_key_id = ?, rotated_at = ? where tenant_id = ?',
      [row.wrappedKey, row.masterKeyId, new Date(), row.tenantId],
      'run',
      em.getTransactionContext(),
    );
}
