import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, Integration, Tenant } from '../db/entities/index.ts';
import { createTestDatabase, type TestDatabase } from '../testing/database.ts';
import { deleteCredentials, loadCredential, saveCredential } from './credentials.ts';
import { VaultError } from '../errors.ts';
import { checkMasterKey } from './master-key-check.ts';
import { rotateMasterKey, rotateTenantDataKey } from './rotate.ts';
import { unwrapDataKey } from './tenant-keys.ts';
import { createVault } from './vault.ts';

/** Asserts `promise` rejects with a VaultError of `code`; returns it for message checks. */
async function vaultError(promise: Promise<unknown>, code: string): Promise<VaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaultError);
  expect((error as VaultError).code).toBe(code);
  return error as VaultError;
}

/** Every encoding a leaked secret could take in a row dump. */
function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [
    secret,
    bytes.toString('base64'),
    bytes.toString('base64url'),
    bytes.toString('hex'),
    JSON.stringify(secret),
  ];
}

describe('vault', () => {
  let t: TestDatabase;
  let tenantA: string;
  let tenantB: string;
  let integrationA: string;
  let integrationB: string;
  const masterKey = randomBytes(32);

  beforeAll(async () => {
    t = await createTestDatabase();
    const em = t.db.orm.em.fork();
    const a = em.create(Tenant, { slug: 'vault-a', name: 'A' });
    const b = em.create(Tenant, { slug: 'vault-b', name: 'B' });
    await em.flush();
    const ia = em.create(Integration, { tenantId: a.id, pluginId: 'emag', label: 'a', settings: {} });
    const ib = em.create(Integration, { tenantId: b.id, pluginId: 'emag', label: 'b', settings: {} });
    await em.flush();
    [tenantA, tenantB, integrationA, integrationB] = [a.id, b.id, ia.id, ib.id];
  });
  afterAll(() => t.close());

  it('round-trips strings, bytes and JSON values, with a fresh nonce every time', async () => {
    const vault = createVault({ db: t.db, masterKey });
    const c1 = await vault.encrypt({ tenantId: tenantA, plaintext: 'hunter2 ✓' });
    const c2 = await vault.encrypt({ tenantId: tenantA, plaintext: 'hunter2 ✓' });
    expect(c1).not.toBe(c2);
    expect(c1.startsWith('v1.')).toBe(true);
    expect(await vault.decrypt({ tenantId: tenantA, ciphertext: c1 })).toBe('hunter2 ✓');
    const bytes = randomBytes(100);
    expect(
      (
        await vault.decryptBytes({
          tenantId: tenantA,
          ciphertext: await vault.encrypt({ tenantId: tenantA, plaintext: bytes }),
        })
      ).equals(bytes),
    ).toBe(true);
    const value = { accessToken: 'at', nested: { n: 1, list: [true, null] } };
    expect(
      await vault.open({ tenantId: tenantA, ciphertext: await vault.seal({ tenantId: tenantA, value }) }),
    ).toEqual(value);
    // A second vault (another process) with the same master key reads the same tenant key.
    expect(await createVault({ db: t.db, masterKey }).decrypt({ tenantId: tenantA, ciphertext: c1 })).toBe(
      'hunter2 ✓',
    );
  });

  it('reports a tampered ciphertext as VAULT_TAMPERED, never garbage', async () => {
    const vault = createVault({ db: t.db, masterKey });
    const ciphertext = await vault.encrypt({ tenantId: tenantA, plaintext: 'top secret value' });
    const parts = ciphertext.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString('base64url');
    await vaultError(vault.decrypt({ tenantId: tenantA, ciphertext: parts.join('.') }), 'VAULT_TAMPERED');
    await vaultError(
      vault.decrypt({ tenantId: tenantA, ciphertext: ciphertext.slice(0, -4) }),
      'VAULT_MALFORMED',
    );
    await vaultError(vault.decrypt({ tenantId: tenantA, ciphertext: 'plain text' }), 'VAULT_MALFORMED');
    // Right tenant, wrong context: the binding is part of the authentication.
    const bound = await vault.encrypt({ tenantId: tenantA, plaintext: 'x', context: 'credential:1:oauth' });
    await vaultError(
      vault.decrypt({ tenantId: tenantA, ciphertext: bound, context: 'credential:2:oauth' }),
      'VAULT_TAMPERED',
    );
  });

  it('refuses a ciphertext moved to another tenant', async () => {
    const vault = createVault({ db: t.db, masterKey });
    const ciphertext = await vault.encrypt({ tenantId: tenantA, plaintext: 'belongs to A' });
    await vault.encrypt({ tenantId: tenantB, plaintext: 'creates B key' });
    const error = await vaultError(vault.decrypt({ tenantId: tenantB, ciphertext }), 'VAULT_TAMPERED');
    expect(error.message).toMatch(/another tenant/);
  });

  it('names the problem when the master key is wrong', async () => {
    const vault = createVault({ db: t.db, masterKey });
    const ciphertext = await vault.encrypt({ tenantId: tenantA, plaintext: 'abc' });
    const wrong = createVault({ db: t.db, masterKey: randomBytes(32) });
    const error = await vaultError(
      wrong.decrypt({ tenantId: tenantA, ciphertext }),
      'VAULT_WRONG_MASTER_KEY',
    );
    expect(error.message).toContain(`tenant ${tenantA}`);
    expect(error.message).toContain(vault.masterKeyId);
    expect(error.message).toMatch(/HOST_MASTER_KEY/);
    expect(error.message).toMatch(/keys rotate/);
  });

  it('stores credentials with no plaintext in the raw credentials and tenant_keys rows', async () => {
    const vault = createVault({ db: t.db, masterKey });
    const secret = `pw-${randomBytes(12).toString('hex')}`;
    const em = t.db.orm.em.fork();
    const first = await saveCredential({
      em,
      vault,
      tenantId: tenantA,
      integrationId: integrationA,
      kind: 'basic',
      secret: { username: 'u', password: secret },
    });
    expect(first.version).toBe(1);
    const second = await saveCredential({
      em,
      vault,
      tenantId: tenantA,
      integrationId: integrationA,
      kind: 'basic',
      secret: { username: 'u', password: secret },
      expiresAt: new Date('2030-01-01T00:00:00Z'),
    });
    expect(second).toEqual({ id: first.id, version: 2 });
    const loaded = await loadCredential<{ password: string }>({
      em,
      vault,
      tenantId: tenantA,
      integrationId: integrationA,
      kind: 'basic',
    });
    expect(loaded?.secret.password).toBe(secret);
    expect(loaded?.version).toBe(2);
    expect(loaded?.expiresAt?.toISOString()).toBe('2030-01-01T00:00:00.000Z');

    const { rows: credentialRows } = await t.db.pool.query('select * from credentials');
    const { rows: keyRows } = await t.db.pool.query('select * from tenant_keys');
    const dump = JSON.stringify([credentialRows, keyRows]);
    expect(dump).toContain('v1.');
    for (const form of [
      ...encodings(secret),
      ...encodings(JSON.stringify({ username: 'u', password: secret })),
    ]) {
      expect(dump).not.toContain(form);
    }
    // Neither the master key nor any tenant's unwrapped data key appears either.
    const dataKeys = keyRows.map(
      (row) =>
        unwrapDataKey({
          masterKey,
          row: {
            tenantId: String(row.tenant_id),
            wrappedKey: String(row.wrapped_key),
            masterKeyId: String(row.master_key_id),
          },
        }).key,
    );
    expect(dataKeys.length).toBeGreaterThanOrEqual(1);
    for (const key of [masterKey, ...dataKeys]) {
      for (const form of [key.toString('base64'), key.toString('hex'), key.toString('base64url')]) {
        expect(dump).not.toContain(form);
      }
    }
  });

  it('refuses a credential ciphertext copied onto another integration, and other tenants’ rows', async () => {
    const vault = createVault({ db: t.db, masterKey });
    const em = t.db.orm.em.fork();
    await saveCredential({
      em,
      vault,
      tenantId: tenantB,
      integrationId: integrationB,
      kind: 'oauth',
      secret: 'b-token',
    });
    // B's row is invisible to tenant A and cannot be overwritten by it.
    expect(
      await loadCredential({ em, vault, tenantId: tenantA, integrationId: integrationB, kind: 'oauth' }),
    ).toBeNull();
    await vaultError(
      saveCredential({
        em,
        vault,
        tenantId: tenantA,
        integrationId: integrationB,
        kind: 'oauth',
        secret: 'evil',
      }),
      'VAULT_CREDENTIAL_TENANT_MISMATCH',
    );
    // Copy B's oauth ciphertext onto B's basic row: bound to another kind, so it must fail.
    await saveCredential({
      em,
      vault,
      tenantId: tenantB,
      integrationId: integrationB,
      kind: 'basic',
      secret: 'b-basic',
    });
    await t.db.pool.query(
      "update credentials set ciphertext = (select ciphertext from credentials where integration_id = $1 and kind = 'oauth') where integration_id = $1 and kind = 'basic'",
      [integrationB],
    );
    await vaultError(
      loadCredential({ em, vault, tenantId: tenantB, integrationId: integrationB, kind: 'basic' }),
      'VAULT_TAMPERED',
    );
    expect(await deleteCredentials({ em, tenantId: tenantB, integrationId: integrationB })).toBe(2);
  });

  it('detects a concurrent write with expectedVersion', async () => {
    const vault = createVault({ db: t.db, masterKey });
    const em = t.db.orm.em.fork();
    const { version } = await saveCredential({
      em,
      vault,
      tenantId: tenantA,
      integrationId: integrationA,
      kind: 'oauth',
      secret: 'v1',
    });
    await saveCredential({
      em,
      vault,
      tenantId: tenantA,
      integrationId: integrationA,
      kind: 'oauth',
      secret: 'v2',
      expectedVersion: version,
    });
    await vaultError(
      saveCredential({
        em,
        vault,
        tenantId: tenantA,
        integrationId: integrationA,
        kind: 'oauth',
        secret: 'v3',
        expectedVersion: version,
      }),
      'VAULT_CREDENTIAL_CONFLICT',
    );
    expect(
      (await loadCredential({ em, vault, tenantId: tenantA, integrationId: integrationA, kind: 'oauth' }))
        ?.secret,
    ).toBe('v2');
  });

  it('creates a tenant key inside the caller’s transaction without deadlocking', async () => {
    const em = t.db.orm.em.fork();
    const tenant = em.create(Tenant, { slug: 'vault-tx', name: 'Tx' });
    await em.flush();
    const vault = createVault({ db: t.db, masterKey });
    const ciphertext = await em.transactional((tx) =>
      vault.encrypt({ em: tx, tenantId: tenant.id, plaintext: 'in tx' }),
    );
    expect(await vault.decrypt({ tenantId: tenant.id, ciphertext })).toBe('in tx');
  });

  it('gives two processes racing to create a tenant key the same key', async () => {
    const em = t.db.orm.em.fork();
    const tenant = em.create(Tenant, { slug: 'vault-race', name: 'Race' });
    await em.flush();
    const [one, two] = [createVault({ db: t.db, masterKey }), createVault({ db: t.db, masterKey })];
    const [c1, c2] = await Promise.all([
      one.encrypt({ tenantId: tenant.id, plaintext: 'from one' }),
      two.encrypt({ tenantId: tenant.id, plaintext: 'from two' }),
    ]);
    expect(await two.decrypt({ tenantId: tenant.id, ciphertext: c1 })).toBe('from one');
    expect(await one.decrypt({ tenantId: tenant.id, ciphertext: c2 })).toBe('from two');
    const { rows } = await t.db.pool.query('select id from tenant_keys where tenant_id = $1', [tenant.id]);
    expect(rows).toHaveLength(1);
  });

  it('rotates the master key: old credentials readable with the new key only', async () => {
    const vault = createVault({ db: t.db, masterKey });
    const em = t.db.orm.em.fork();
    await saveCredential({
      em,
      vault,
      tenantId: tenantA,
      integrationId: integrationA,
      kind: 'rot',
      secret: 'survives rotation',
    });
    const newKey = randomBytes(32);
    expect((await checkMasterKey({ db: t.db, masterKey })).tenantKeys).toBeGreaterThanOrEqual(2);
    await vaultError(checkMasterKey({ db: t.db, masterKey: newKey }), 'VAULT_WRONG_MASTER_KEY');
    const result = await rotateMasterKey({ db: t.db, oldKey: masterKey, newKey });
    await checkMasterKey({ db: t.db, masterKey: newKey });
    const audit = await t.db.orm.em
      .fork()
      .findOneOrFail(AuditLog, { action: 'vault.master_key_rotate', targetId: result.newMasterKeyId });
    expect(JSON.stringify(audit)).not.toContain(newKey.toString('base64'));
    expect(result.rotated).toBeGreaterThanOrEqual(2);
    const { rows } = await t.db.pool.query<{ master_key_id: string }>(
      'select master_key_id from tenant_keys',
    );
    expect(new Set(rows.map((r) => r.master_key_id))).toEqual(new Set([result.newMasterKeyId]));

    const fresh = createVault({ db: t.db, masterKey: newKey });
    expect(
      (
        await loadCredential({
          em,
          vault: fresh,
          tenantId: tenantA,
          integrationId: integrationA,
          kind: 'rot',
        })
      )?.secret,
    ).toBe('survives rotation');
    await vaultError(
      loadCredential({
        em,
        vault: createVault({ db: t.db, masterKey }),
        tenantId: tenantA,
        integrationId: integrationA,
        kind: 'rot',
      }),
      'VAULT_WRONG_MASTER_KEY',
    );
    // Re-running (an interrupted rotation finished) changes nothing; a third key is refused whole.
    expect((await rotateMasterKey({ db: t.db, oldKey: masterKey, newKey })).rotated).toBe(0);
    await vaultError(
      rotateMasterKey({ db: t.db, oldKey: randomBytes(32), newKey: randomBytes(32) }),
      'VAULT_WRONG_MASTER_KEY',
    );
    await rotateMasterKey({ db: t.db, oldKey: newKey, newKey: masterKey });
  });

  it('rotates a tenant data key, re-encrypting its credentials', async () => {
    const vault = createVault({ db: t.db, masterKey });
    const em = t.db.orm.em.fork();
    await saveCredential({
      em,
      vault,
      tenantId: tenantA,
      integrationId: integrationA,
      kind: 'dk',
      secret: 'still here',
    });
    const before = await t.db.pool.query<{ wrapped_key: string }>(
      'select wrapped_key from tenant_keys where tenant_id = $1',
      [tenantA],
    );
    const oldCipher = await vault.encrypt({ tenantId: tenantA, plaintext: 'sealed before rotation' });
    const { reencrypted } = await rotateTenantDataKey({ db: t.db, vault, masterKey, tenantId: tenantA });
    expect(reencrypted).toBeGreaterThanOrEqual(1);
    const after = await t.db.pool.query<{ wrapped_key: string }>(
      'select wrapped_key from tenant_keys where tenant_id = $1',
      [tenantA],
    );
    expect(after.rows[0]!.wrapped_key).not.toBe(before.rows[0]!.wrapped_key);
    expect(
      (await loadCredential({ em, vault, tenantId: tenantA, integrationId: integrationA, kind: 'dk' }))
        ?.secret,
    ).toBe('still here');
    // Another process's vault still caching nothing reads the new key from the database.
    expect(
      (
        await loadCredential({
          em,
          vault: createVault({ db: t.db, masterKey }),
          tenantId: tenantA,
          integrationId: integrationA,
          kind: 'dk',
        })
      )?.secret,
    ).toBe('still here');
    await vaultError(vault.decrypt({ tenantId: tenantA, ciphertext: oldCipher }), 'VAULT_TAMPERED');
  });
});
