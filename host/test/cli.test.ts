import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { authenticateApiToken } from '../src/auth/api-tokens.ts';
import { acquireDataDirLock } from '../src/db/data-dir-lock.ts';
import { Integration, Tenant, User } from '../src/db/entities/index.ts';
import { openDatabase, type Database } from '../src/db/orm.ts';
import { loadCredential, saveCredential } from '../src/vault/credentials.ts';
import { VaultError } from '../src/vault/index.ts';
import { masterKeyId, readMasterKeyFile, resolveMasterKey } from '../src/vault/master-key.ts';
import { createVault } from '../src/vault/vault.ts';
import { createTestDatabase } from '../src/testing/database.ts';
import { NO_SERVER, serverDatabaseUrl } from '../src/testing/server-database.ts';

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real CLI under this Node (24); on the embedded database in `dataDir` unless `env` names DATABASE_URL. */
function cli(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  delete childEnv.DATABASE_URL;
  Object.assign(childEnv, env);
  if (!('HOST_MASTER_KEY' in env)) delete childEnv.HOST_MASTER_KEY;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      { env: childEnv, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Opens the CLI's embedded database in this process, holding the DATA_DIR lock like the host. */
async function withHostDatabase<T>(dataDir: string, fn: (db: Database) => Promise<T>): Promise<T> {
  const lock = acquireDataDirLock(dataDir, { role: 'host' });
  try {
    const db = await openDatabase({ dataDir });
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  } finally {
    lock.release();
  }
}

describe('host CLI on the embedded database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mch-cli-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses an unknown command with exit code 2', async () => {
    const run = await cli(dataDir, ['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown command "frobnicate"/);
    expect(run.stdout).toBe('');
  });

  it('creates a tenant, a user and a token the API accepts; refuses while the host holds DATA_DIR; keys rotate keeps credentials readable', async () => {
    const tenant = await cli(dataDir, ['tenant', 'create', '--name', 'Acme Shop']);
    expect(tenant.stderr).toMatch(/slug acme-shop/);
    expect(tenant.code).toBe(0);
    const tenantId = tenant.stdout.trim();
    expect(tenantId).toMatch(/^[0-9a-f-]{36}$/);

    const user = await cli(dataDir, [
      'user',
      'create',
      '--tenant',
      'acme-shop',
      '--email',
      'Owner@Acme.io',
      '--role',
      'tenant_admin',
    ]);
    expect(user.code).toBe(0);
    const password = /Generated password \(shown once, store it now\): (\S+)/.exec(user.stderr)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(user.stdout).not.toContain(password);

    const token = await cli(dataDir, ['token', 'create', '--email', 'owner@acme.io']);
    expect(token.code).toBe(0);
    const apiToken = token.stdout.trim();
    expect(apiToken).toMatch(/^mch_[A-Za-z0-9_-]{43}$/);
    expect(token.stderr).not.toContain(apiToken);

    const oldKey = resolveMasterKey({ dataDir });
    await withHostDatabase(dataDir, async (db) => {
      const em = db.orm.em.fork();
      const principal = await authenticateApiToken({ em, token: apiToken });
      expect(principal).toMatchObject({ tenantId, role: 'tenant_admin', email: 'owner@acme.io' });
      expect((await em.findOneOrFail(User, { email: 'owner@acme.io' })).passwordHash).toMatch(/^scrypt\$/);
      const integration = em.create(Integration, { tenantId, pluginId: 'emag', label: 'main', settings: {} });
      await em.flush();
      await saveCredential({
        em,
        vault: createVault({ db, masterKey: oldKey }),
        tenantId,
        integrationId: integration.id,
        kind: 'basic',
        secret: { password: 'emag-secret-pw' },
      });

      // While this process holds DATA_DIR as the host, a CLI command must refuse, not corrupt.
      const refused = await cli(dataDir, ['tenant', 'create', '--name', 'Second']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`The host is running on DATA_DIR=${dataDir} (pid ${process.pid})`);
      expect(refused.stderr).toMatch(/DATABASE_URL/);
    });

    const rotate = await cli(dataDir, ['keys', 'rotate']);
    expect(rotate.stderr).toMatch(/Re-wrapped 1 tenant key/);
    expect(rotate.code).toBe(0);
    const newKey = readMasterKeyFile(join(dataDir, 'master.key'));
    expect(rotate.stdout.trim()).toBe(newKey.id);
    expect(newKey.id).not.toBe(oldKey.id);
    expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dataDir).filter((f) => f.startsWith('master.key'))).toEqual(['master.key']);
    expect(existsSync(join(dataDir, 'host.lock'))).toBe(false);

    await withHostDatabase(dataDir, async (db) => {
      const em = db.orm.em.fork();
      const integration = await em.findOneOrFail(Integration, { tenantId });
      const key = { em, tenantId, integrationId: integration.id, kind: 'basic' };
      expect(
        (await loadCredential({ ...key, vault: createVault({ db, masterKey: newKey }) }))?.secret,
      ).toEqual({ password: 'emag-secret-pw' });
      const stale = await loadCredential({ ...key, vault: createVault({ db, masterKey: oldKey }) }).catch(
        (e: unknown) => e,
      );
      expect(stale).toBeInstanceOf(VaultError);
      expect((stale as VaultError).code).toBe('VAULT_WRONG_MASTER_KEY');
      const { rows } = await db.pool.query('select * from credentials');
      expect(JSON.stringify(rows)).not.toContain('emag-secret-pw');
    });
    expect(readFileSync(join(dataDir, 'master.key'), 'utf8')).not.toContain(oldKey.key.toString('base64'));
  }, 180_000);

  it('with HOST_MASTER_KEY set, keys rotate requires --new-key, re-wraps and leaves the key file alone', async () => {
    const current = readMasterKeyFile(join(dataDir, 'master.key'));
    const env = { HOST_MASTER_KEY: current.key.toString('hex') };
    const missing = await cli(dataDir, ['keys', 'rotate'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /HOST_MASTER_KEY is set, so the new key must be given: keys rotate --new-key/,
    );

    const next = Buffer.alloc(32, 7);
    const run = await cli(dataDir, ['keys', 'rotate', '--new-key', next.toString('base64')], env);
    expect(run.stderr).toMatch(/set HOST_MASTER_KEY to the new key/);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(masterKeyId(next));
    expect(run.stderr + run.stdout).not.toContain(next.toString('base64'));
    expect(readMasterKeyFile(join(dataDir, 'master.key')).id).toBe(current.id);

    // A data-key rotation re-encrypts the tenant's credentials; they stay readable.
    const dataKey = await cli(dataDir, ['keys', 'rotate-data-key', '--tenant', 'acme-shop'], {
      HOST_MASTER_KEY: next.toString('base64'),
    });
    expect(dataKey.stderr).toMatch(/re-encrypted 1 credential/);
    expect(dataKey.code).toBe(0);
    await withHostDatabase(dataDir, async (db) => {
      const em = db.orm.em.fork();
      const integration = await em.findOneOrFail(Integration, { pluginId: 'emag' });
      const stored = await loadCredential({
        em,
        vault: createVault({ db, masterKey: next }),
        tenantId: integration.tenantId,
        integrationId: integration.id,
        kind: 'basic',
      });
      expect(stored?.secret).toEqual({ password: 'emag-secret-pw' });
      expect(stored?.version).toBe(2);
    });
  }, 120_000);

  it("tenant disable takes the tenant's scheduled jobs off the scheduler, and enable puts them back", async () => {
    /** The integration's recurring jobs on the scheduler's table, by job id. */
    const scheduled = () =>
      withHostDatabase(dataDir, async (db) => {
        const integration = await db.orm.em.fork().findOneOrFail(Integration, { pluginId: 'emag' });
        const { rows } = await db.pool.query<{ job: string }>(
          `select data->>'jobId' as job from agenda_jobs
            where data->>'integrationId' = $1 and data->>'trigger' = 'schedule' order by 1`,
          [integration.id],
        );
        return rows.map((r) => r.job);
      });
    await withHostDatabase(dataDir, async (db) => {
      const em = db.orm.em.fork();
      const integration = await em.findOneOrFail(Integration, { pluginId: 'emag' });
      // Active, with the intervals its jobs are scheduled by (the console fills them from the form).
      integration.status = 'active';
      integration.settings = { ...integration.settings, syncFrequencyMinutes: 15, offerSyncMinutes: 360 };
      await em.flush();
    });

    const enabled = await cli(dataDir, ['tenant', 'enable', '--tenant', 'acme-shop']);
    expect(enabled.stderr, enabled.stdout).toMatch(/Enabled tenant acme-shop/);
    expect(enabled.code).toBe(0);
    const jobs = await scheduled();
    expect(jobs).toContain('sync-orders');

    const disabled = await cli(dataDir, ['tenant', 'disable', '--tenant', 'acme-shop']);
    expect(disabled.stderr).toMatch(/Disabled tenant acme-shop/);
    expect(disabled.code).toBe(0);
    expect(await scheduled()).toEqual([]);

    const again = await cli(dataDir, ['tenant', 'enable', '--tenant', 'acme-shop']);
    expect(again.code).toBe(0);
    expect(await scheduled()).toEqual(jobs);
  }, 180_000);
});

// CI runs against a real PostgreSQL server: there the CLI needs no DATA_DIR lock.
describe.skipIf(!serverDatabaseUrl())(`host CLI on PostgreSQL${serverDatabaseUrl() ? '' : NO_SERVER}`, () => {
  it('creates a tenant in the server database without locking DATA_DIR', async () => {
    const t = await createTestDatabase({ server: true });
    const dataDir = mkdtempSync(join(tmpdir(), 'mch-cli-pg-'));
    try {
      const run = await cli(dataDir, ['tenant', 'create', '--name', 'Server Co'], { DATABASE_URL: t.url! });
      expect(run.stderr).toMatch(/slug server-co/);
      expect(run.code).toBe(0);
      expect((await t.db.orm.em.fork().findOneOrFail(Tenant, { id: run.stdout.trim() })).slug).toBe(
        'server-co',
      );
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await t.close();
    }
  });
});
