import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VaultError } from '../errors.ts';

export interface MasterKey {
  key: Buffer;
  /** First 16 hex chars of SHA-256(key): names the key in `tenant_keys` and messages, reveals nothing. */
  id: string;
  source: 'env' | 'file';
  /** The key file, when the key came from `DATA_DIR`. */
  path?: string;
}

export const MASTER_KEY_FILE = 'master.key';
const KEY_BYTES = 32;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}={0,1}$/;

export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** A fresh random master key in the form `HOST_MASTER_KEY` and `master.key` use (base64). */
export function generateMasterKeyText(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/** Accepts 32 bytes as 64 hex chars or as base64 / base64url (43–44 chars). */
export function parseMasterKey(text: string, origin: string): Buffer {
  const value = text.trim();
  let key: Buffer | undefined;
  if (HEX_KEY.test(value)) key = Buffer.from(value, 'hex');
  else if (BASE64_KEY.test(value)) key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (!key || key.length !== KEY_BYTES) {
    throw new VaultError(
      'VAULT_MASTER_KEY_INVALID',
      `${origin} must be 32 random bytes written as base64 (44 characters) or hex (64 characters), ` +
        `got ${value.length} characters that are neither. Generate one with: openssl rand -base64 32`,
    );
  }
  return key;
}

/** Owner-only check (POSIX). Windows has no mode bits worth checking here. */
function assertOwnerOnly(path: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new VaultError(
      'VAULT_MASTER_KEY_FILE_UNSAFE',
      `The master key file ${path} is readable by other users (mode ${mode.toString(8)}). ` +
        `Run: chmod 600 ${path}  — then start again.`,
    );
  }
}

/** Reads a key file after checking its permissions. */
export function readMasterKeyFile(path: string): MasterKey {
  assertOwnerOnly(path);
  const key = parseMasterKey(readFileSync(path, 'utf8'), `The master key file ${path}`);
  return { key, id: masterKeyId(key), source: 'file', path };
}

/** Writes a new key file, owner-only, refusing to overwrite one that exists (`wx`). */
export function writeMasterKeyFile(path: string, text: string): void {
  writeFileSync(path, `${text}\n`, { mode: 0o600, flag: 'wx' });
  // The umask can only remove bits, but be explicit: the file must be 0600 whatever the umask.
  chmodSync(path, 0o600);
}

/**
 * The master key that wraps every tenant's data key (SPEC "Vault"): `HOST_MASTER_KEY` when set,
 * otherwise `<dataDir>/master.key`, generated on first use with mode 0600.
 */
export function resolveMasterKey({
  masterKey,
  dataDir,
}: {
  masterKey?: string | undefined;
  dataDir: string;
}): MasterKey {
  if (masterKey !== undefined && masterKey.trim() !== '') {
    const key = parseMasterKey(masterKey, 'HOST_MASTER_KEY');
    return { key, id: masterKeyId(key), source: 'env' };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, MASTER_KEY_FILE);
  try {
    writeMasterKeyFile(path, generateMasterKeyText());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readMasterKeyFile(path);
}
