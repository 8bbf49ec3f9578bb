import type { Database } from '../db/orm.ts';
import { VaultError } from '../errors.ts';
import { masterKeyId } from './master-key.ts';
import { sqlRows } from './raw-sql.ts';

/**
 * Start-up check: every tenant key must be wrapped by the configured master key. Failing at boot
 * with the key ids beats failing at the first decryption — and stops a process with the wrong key
 * (another host's generated `master.key`, a forgotten `HOST_MASTER_KEY` change) from wrapping new
 * tenant keys under it.
 */
export async function checkMasterKey({
  db,
  masterKey,
}: {
  db: Database;
  masterKey: Buffer;
}): Promise<{ tenantKeys: number }> {
  const id = masterKeyId(masterKey);
  const rows = await sqlRows<{ master_key_id: string; n: string | number }>(
    db.orm.em.fork(),
    'select master_key_id, count(*) as n from tenant_keys group by master_key_id',
    [],
  );
  const others = rows.filter((r) => r.master_key_id !== id);
  if (others.length > 0) {
    const list = others.map((r) => `${r.master_key_id} (${Number(r.n)} tenant key(s))`).join(', ');
    throw new VaultError(
      'VAULT_WRONG_MASTER_KEY',
      `The configured master key (id ${id}) is not the one that wrapped the stored tenant keys: ${list}. ` +
        `Set HOST_MASTER_KEY (or restore DATA_DIR/master.key) to that key; if a \`keys rotate\` was interrupted, run it again with the old key.`,
    );
  }
  return { tenantKeys: rows.reduce((sum, r) => sum + Number(r.n), 0) };
}
