import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tenant } from '../db/entities/index.ts';
import { createTestDatabase, type TestDatabase } from '../testing/database.ts';
import { VaultError } from '../errors.ts';
import {
  generateMasterKeyText,
  readMasterKeyFile,
  resolveMasterKey,
  writeMasterKeyFile,
} from './master-key.ts';
import { rotateMasterKey } from './rotate.ts';
import { rotateMasterKeyFile } from './rotate-key-file.ts';
import { createVault } from './vault.ts';

describe('rotateMasterKeyFile (keys rotate on the embedded default)', () => {
  let t: TestDatabase;
  let tenantId: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'mch-rotate-'));
  const keyFiles = () =>
    readdirSync(dataDir)
      .filter((f) => f.startsWith('master.key'))
      .sort();

  beforeAll(async () => {
    t = await createTestDatabase();
    const em = t.db.orm.em.fork();
    const tenant = em.create(Tenant, { slug: 'rotate', name: 'Rotate' });
    await em.flush();
    tenantId = tenant.id;
  });
  afterAll(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('replaces master.key, keeps secrets readable under the new key, and leaves no old copies', async () => {
    const old = resolveMasterKey({ dataDir });
    const ciphertext = await createVault({ db: t.db, masterKey: old }).encrypt({
      tenantId,
      plaintext: 'kept',
    });
    const rotation = await rotateMasterKeyFile({ db: t.db, dataDir });
    expect([rotation.rotated, rotation.resumed, rotation.oldMasterKeyId]).toEqual([1, false, old.id]);
    const current = readMasterKeyFile(join(dataDir, 'master.key'));
    expect(current.id).toBe(rotation.newMasterKeyId);
    expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(keyFiles()).toEqual(['master.key']);
    expect(await createVault({ db: t.db, masterKey: current }).decrypt({ tenantId, ciphertext })).toBe(
      'kept',
    );
  });

  it('finishes a rotation interrupted after the database committed', async () => {
    const old = resolveMasterKey({ dataDir });
    const ciphertext = await createVault({ db: t.db, masterKey: old }).encrypt({
      tenantId,
      plaintext: 'crash-safe',
    });
    // The crash: master.key.new written and the database re-wrapped, but master.key not replaced yet.
    const pendingText = generateMasterKeyText();
    writeMasterKeyFile(join(dataDir, 'master.key.new'), pendingText);
    const pending = readMasterKeyFile(join(dataDir, 'master.key.new'));
    await rotateMasterKey({ db: t.db, oldKey: old.key, newKey: pending.key });

    const rotation = await rotateMasterKeyFile({ db: t.db, dataDir });
    expect([rotation.resumed, rotation.rotated, rotation.alreadyCurrent, rotation.newMasterKeyId]).toEqual([
      true,
      0,
      1,
      pending.id,
    ]);
    expect(readMasterKeyFile(join(dataDir, 'master.key')).id).toBe(pending.id);
    expect(keyFiles()).toEqual(['master.key']);
    expect(await createVault({ db: t.db, masterKey: pending }).decrypt({ tenantId, ciphertext })).toBe(
      'crash-safe',
    );
  });

  it('changes nothing when master.key is not the key the database uses', async () => {
    const before = readMasterKeyFile(join(dataDir, 'master.key'));
    // The database moves to a key this folder does not have (e.g. rotated from another machine).
    await rotateMasterKey({ db: t.db, oldKey: before.key, newKey: randomBytes(32) });
    const error = await rotateMasterKeyFile({ db: t.db, dataDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).code).toBe('VAULT_WRONG_MASTER_KEY');
    expect(keyFiles()).toEqual(['master.key']);
    expect(readMasterKeyFile(join(dataDir, 'master.key')).id).toBe(before.id);
  });
});
