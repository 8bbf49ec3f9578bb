import { copyFileSync, chmodSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../db/orm.ts';
import { VaultError } from '../errors.ts';
import {
  generateMasterKeyText,
  MASTER_KEY_FILE,
  parseMasterKey,
  readMasterKeyFile,
  resolveMasterKey,
  writeMasterKeyFile,
} from './master-key.ts';
import { rotateMasterKey, type RotateMasterKeyResult } from './rotate.ts';

export interface KeyFileRotation extends RotateMasterKeyResult {
  oldMasterKeyId: string;
  path: string;
  /** True when an interrupted earlier rotation's `master.key.new` was picked up and finished. */
  resumed: boolean;
}

const stamp = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

/**
 * `keys rotate` for the embedded default (key in `<dataDir>/master.key`). Order matters for a crash
 * at any point: the new key is written to `master.key.new` first, the old one is copied to
 * `master.key.old-<timestamp>`, the database is re-wrapped in one transaction, then `master.key.new`
 * atomically replaces `master.key` and the copy is deleted. Re-running after a crash finds
 * `master.key.new` and finishes with it (re-wrapping skips rows already under it).
 * Run it with the data folder locked (no host running on it).
 */
export async function rotateMasterKeyFile({
  db,
  dataDir,
  newKeyText,
  now = new Date(),
}: {
  db: Database;
  dataDir: string;
  newKeyText?: string | undefined;
  now?: Date;
}): Promise<KeyFileRotation> {
  const path = join(dataDir, MASTER_KEY_FILE);
  const pendingPath = `${path}.new`;
  const backupPath = `${path}.old-${stamp(now)}`;
  const old = resolveMasterKey({ dataDir });
  const resumed = existsSync(pendingPath);
  if (resumed) {
    const pending = readMasterKeyFile(pendingPath);
    if (newKeyText !== undefined && !parseMasterKey(newKeyText, '--new-key').equals(pending.key)) {
      throw new VaultError(
        'VAULT_MASTER_KEY_INVALID',
        `${pendingPath} holds the key of an interrupted rotation; run \`keys rotate\` without --new-key to finish it first.`,
      );
    }
  } else {
    const text = newKeyText ?? generateMasterKeyText();
    parseMasterKey(text, '--new-key');
    writeMasterKeyFile(pendingPath, text.trim());
  }
  const next = readMasterKeyFile(pendingPath);
  if (next.id === old.id) {
    rmSync(pendingPath, { force: true });
    throw new VaultError(
      'VAULT_MASTER_KEY_INVALID',
      'The new master key is the same as the current one; generate a fresh key.',
    );
  }

  copyFileSync(path, backupPath);
  chmodSync(backupPath, 0o600);
  let rotation: RotateMasterKeyResult;
  try {
    rotation = await rotateMasterKey({ db, oldKey: old.key, newKey: next.key });
  } catch (error) {
    // Nothing was committed (one transaction): leave the key files as they were — unless rows are
    // already under the pending key (an earlier run committed), which a re-run must still finish.
    const { rows } = await db.pool.query<{ n: string }>(
      'select count(*) as n from tenant_keys where master_key_id = $1',
      [next.id],
    );
    if (Number(rows[0]?.n ?? 0) === 0) rmSync(pendingPath, { force: true });
    rmSync(backupPath, { force: true });
    throw error;
  }
  renameSync(pendingPath, path);
  rmSync(backupPath, { force: true });
  return { ...rotation, oldMasterKeyId: old.id, path, resumed };
}
