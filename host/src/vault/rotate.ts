import { randomBytes } from 'node:crypto';
import type { Database } from '../db/orm.ts';
import { openBytes, parseEnvelope, sealBytes } from './aes-gcm.ts';
import { credentialContext } from './credentials.ts';
import { ALERT_WEBHOOK_CONTEXT } from '../alerts/webhook-context.ts';
import { VaultError } from '../errors.ts';
import { masterKeyId } from './master-key.ts';
import {
  dataKeyId,
  listTenantKeyRows,
  unwrapDataKey,
  updateTenantKeyRow,
  wrapDataKey,
  type TenantKeyRow,
} from './tenant-keys.ts';
import { sqlRows } from './raw-sql.ts';
import { vaultAad, type Vault } from './vault.ts';
import { recordAudit } from '../audit/audit-log.ts';

export interface RotateMasterKeyResult {
  /** Tenant keys re-wrapped by this call. */
  rotated: number;
  /** Tenant keys already wrapped by the new key (an interrupted rotation being finished). */
  alreadyCurrent: number;
  newMasterKeyId: string;
}

/**
 * Re-wraps every tenant's data key from `oldKey` to `newKey` in one transaction. Data keys do not
 * change, so every credential stays readable — with the new master key only. Rows already under the
 * new key are skipped, so re-running an interrupted rotation is safe; a row under a third key aborts
 * the whole rotation before anything is written.
 */
export async function rotateMasterKey({
  db,
  oldKey,
  newKey,
}: {
  db: Database;
  oldKey: Buffer;
  newKey: Buffer;
}): Promise<RotateMasterKeyResult> {
  const oldId = masterKeyId(oldKey);
  const newId = masterKeyId(newKey);
  if (oldId === newId) {
    throw new VaultError(
      'VAULT_MASTER_KEY_INVALID',
      'The new master key is the same as the current one; generate a fresh key.',
    );
  }
  return db.orm.em.fork().transactional(async (em) => {
    const rows = await listTenantKeyRows(em, { forUpdate: true });
    const pending: TenantKeyRow[] = [];
    let alreadyCurrent = 0;
    for (const row of rows) {
      if (row.masterKeyId === newId) {
        alreadyCurrent++;
        continue;
      }
      // unwrapDataKey refuses rows under any key but `oldKey` with VAULT_WRONG_MASTER_KEY.
      const { key } = unwrapDataKey({ masterKey: oldKey, row });
      pending.push({
        ...row,
        wrappedKey: wrapDataKey({ masterKey: newKey, tenantId: row.tenantId, dataKey: key }),
        masterKeyId: newId,
      });
    }
    for (const row of pending) await updateTenantKeyRow(em, row);
    recordAudit(em, {
      tenantId: null,
      action: 'vault.master_key_rotate',
      targetType: 'master_key',
      targetId: newId,
      details: { from: oldId, to: newId, rotated: pending.length, alreadyCurrent },
    });
    await em.flush();
    return { rotated: pending.length, alreadyCurrent, newMasterKeyId: newId };
  });
}

/**
 * Replaces one tenant's data key and re-encrypts its `credentials` rows (and its alert webhook) under it, in one
 * transaction. Only secrets stored through `saveCredential` are re-encrypted; run it while no other
 * host process is writing that tenant's credentials (their cached key would be the old one).
 */
export async function rotateTenantDataKey({
  db,
  vault,
  masterKey,
  tenantId,
}: {
  db: Database;
  vault: Vault;
  masterKey: Buffer;
  tenantId: string;
}): Promise<{ reencrypted: number }> {
  const result = await db.orm.em.fork().transactional(async (em) => {
    const [row] = await listTenantKeyRows(em, { forUpdate: true, tenantId });
    if (!row) return { reencrypted: 0 };
    const old = unwrapDataKey({ masterKey, row });
    const fresh = randomBytes(32);
    const freshId = dataKeyId(fresh);
    const credentials = await sqlRows<{
      id: string;
      integration_id: string;
      kind: string;
      ciphertext: string;
    }>(em, 'select id, integration_id, kind, ciphertext from credentials where tenant_id = ? for update', [
      tenantId,
    ]);
    for (const credential of credentials) {
      const aad = vaultAad(tenantId, credentialContext(credential.integration_id, credential.kind));
      const plaintext = openBytes({
        key: old.key,
        envelope: parseEnvelope(credential.ciphertext, `credential ${credential.id}`),
        aad,
        tamperedMessage: `Credential ${credential.id} of tenant ${tenantId} failed authentication; rotation aborted, nothing changed.`,
      });
      const ciphertext = sealBytes({ key: fresh, keyId: freshId, plaintext, aad });
      await em
        .getConnection()
        .execute(
          'update credentials set ciphertext = ?, version = version + 1, updated_at = ? where id = ?',
          [ciphertext, new Date(), credential.id],
          'run',
          em.getTransactionContext(),
        );
    }
    // The tenant's alert webhook URL (host/src/alerts/webhook.ts), sealed under the same key.
    const webhooks = await sqlRows<{ url_ciphertext: string }>(
      em,
      'select url_ciphertext from alert_webhooks where tenant_id = ? for update',
      [tenantId],
    );
    for (const webhook of webhooks) {
      const aad = vaultAad(tenantId, ALERT_WEBHOOK_CONTEXT);
      const plaintext = openBytes({
        key: old.key,
        envelope: parseEnvelope(webhook.url_ciphertext, `alert webhook of tenant ${tenantId}`),
        aad,
        tamperedMessage: `The alert webhook of tenant ${tenantId} failed authentication; rotation aborted, nothing changed.`,
      });
      await em
        .getConnection()
        .execute(
          'update alert_webhooks set url_ciphertext = ?, updated_at = ? where tenant_id = ?',
          [sealBytes({ key: fresh, keyId: freshId, plaintext, aad }), new Date(), tenantId],
          'run',
          em.getTransactionContext(),
        );
    }
    await updateTenantKeyRow(em, {
      ...row,
      wrappedKey: wrapDataKey({ masterKey, tenantId, dataKey: fresh }),
      masterKeyId: masterKeyId(masterKey),
    });
    recordAudit(em, {
      tenantId,
      action: 'vault.data_key_rotate',
      targetType: 'tenant',
      targetId: tenantId,
      details: { reencrypted: credentials.length + webhooks.length },
    });
    await em.flush();
    return { reencrypted: credentials.length + webhooks.length };
  });
  vault.forget(tenantId);
  return result;
}
