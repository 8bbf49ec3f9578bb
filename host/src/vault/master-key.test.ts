import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { masterKeyId, parseMasterKey, resolveMasterKey } from './master-key.ts';

describe('resolveMasterKey', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'mch-mk-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('accepts HOST_MASTER_KEY as base64, base64url or hex of 32 bytes, all naming the same key', () => {
    const raw = randomBytes(32);
    const dataDir = tempDir();
    const fromB64 = resolveMasterKey({ masterKey: raw.toString('base64'), dataDir });
    const fromUrl = resolveMasterKey({ masterKey: raw.toString('base64url'), dataDir });
    const fromHex = resolveMasterKey({ masterKey: raw.toString('hex'), dataDir });
    expect(fromB64.key.equals(raw) && fromUrl.key.equals(raw) && fromHex.key.equals(raw)).toBe(true);
    expect(fromB64.id).toBe(masterKeyId(raw));
    expect(fromB64.id).toMatch(/^[0-9a-f]{16}$/);
    expect(fromB64.source).toBe('env');
  });

  it('refuses anything else with a message naming the variable and the expected form', () => {
    for (const bad of [
      'secret',
      randomBytes(16).toString('base64'),
      randomBytes(31).toString('hex') + 'zz',
    ]) {
      expect(() => parseMasterKey(bad, 'HOST_MASTER_KEY')).toThrow(
        /HOST_MASTER_KEY must be 32 random bytes.*base64.*hex/,
      );
    }
  });

  it('generates <DATA_DIR>/master.key with mode 0600 and reuses it', () => {
    const dataDir = join(tempDir(), 'nested', 'data');
    const first = resolveMasterKey({ dataDir });
    const path = join(dataDir, 'master.key');
    expect(first.source).toBe('file');
    expect(first.path).toBe(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64').equals(first.key)).toBe(true);
    expect(resolveMasterKey({ dataDir }).id).toBe(first.id);
  });

  it.skipIf(process.platform === 'win32')(
    'refuses a key file readable by group or others, saying chmod 600',
    () => {
      const dataDir = tempDir();
      resolveMasterKey({ dataDir });
      const path = join(dataDir, 'master.key');
      chmodSync(path, 0o644);
      expect(() => resolveMasterKey({ dataDir })).toThrow(`chmod 600 ${path}`);
      chmodSync(path, 0o600);
      expect(() => resolveMasterKey({ dataDir })).not.toThrow();
    },
  );
});
