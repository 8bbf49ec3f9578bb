import { parseArgs } from 'node:util';
import { readEnv } from '../../config/env.ts';
import { findTenant } from '../../tenancy/find.ts';
import { masterKeyId, parseMasterKey, resolveMasterKey } from '../../vault/master-key.ts';
import { rotateMasterKey, rotateTenantDataKey } from '../../vault/rotate.ts';
import { createVault } from '../../vault/vault.ts';
import { rotateMasterKeyFile } from '../../vault/rotate-key-file.ts';
import { UsageError } from '../support/errors.ts';
import { info, result } from '../support/output.ts';
import { withDatabase } from '../support/with-database.ts';

const USAGE = `usage:
  keys rotate [--new-key K]   re-wrap every tenant's data key under a new master key; prints the new key id
      Embedded default (no HOST_MASTER_KEY): a new DATA_DIR/master.key is generated (or K is used);
      the old file is kept as master.key.old-<timestamp> until the rotation is done.
      With HOST_MASTER_KEY set: --new-key is required (32 bytes, base64 or hex: openssl rand -base64 32);
      afterwards set HOST_MASTER_KEY to it for every host process.
  keys rotate-data-key --tenant ID|SLUG   replace one tenant's data key, re-encrypting its credentials
      (stop the hosts first: a running one keeps the old data key cached).`;

async function rotate(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'new-key': { type: 'string' } } });
  const env = readEnv();
  const newKeyText = values['new-key'];
  if (env.masterKey) {
    if (!newKeyText) {
      throw new UsageError(
        'HOST_MASTER_KEY is set, so the new key must be given: keys rotate --new-key <key> ' +
          '(generate one with: openssl rand -base64 32).',
      );
    }
    const oldKey = parseMasterKey(env.masterKey, 'HOST_MASTER_KEY');
    const newKey = parseMasterKey(newKeyText, '--new-key');
    const rotation = await withDatabase(({ db }) => rotateMasterKey({ db, oldKey, newKey }), env);
    info(
      `Re-wrapped ${rotation.rotated} tenant key(s) from master key ${masterKeyId(oldKey)} to ${rotation.newMasterKeyId}` +
        `${rotation.alreadyCurrent ? ` (${rotation.alreadyCurrent} already under it)` : ''}.\n` +
        `Next: set HOST_MASTER_KEY to the new key (id ${rotation.newMasterKeyId}) for every host process and restart them; ` +
        `the old key no longer opens anything.`,
    );
    result(rotation.newMasterKeyId);
    return 0;
  }
  const rotation = await withDatabase(
    ({ db }) => rotateMasterKeyFile({ db, dataDir: env.dataDir, newKeyText }),
    env,
  );
  info(
    `${rotation.resumed ? 'Finished an interrupted rotation: re' : 'Re'}-wrapped ${rotation.rotated} tenant key(s) ` +
      `from master key ${rotation.oldMasterKeyId} to ${rotation.newMasterKeyId}; ${rotation.path} now holds the new key.` +
      (env.databaseUrl
        ? '\nRestart every host process that reads this key file so it loads the new key.'
        : ''),
  );
  result(rotation.newMasterKeyId);
  return 0;
}

async function rotateDataKey(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { tenant: { type: 'string' } } });
  if (!values.tenant) throw new UsageError(`--tenant is required.\n${USAGE}`);
  const tenantKey = values.tenant;
  const env = readEnv();
  const { tenant, reencrypted } = await withDatabase(async ({ db }) => {
    const masterKey = resolveMasterKey({ masterKey: env.masterKey, dataDir: env.dataDir });
    const found = await findTenant(db.orm.em.fork(), tenantKey);
    const vault = createVault({ db, masterKey });
    return {
      tenant: found,
      ...(await rotateTenantDataKey({ db, vault, masterKey: masterKey.key, tenantId: found.id })),
    };
  }, env);
  info(`Replaced the data key of tenant ${tenant.slug} and re-encrypted ${reencrypted} credential(s).`);
  result(String(reencrypted));
  return 0;
}

export const command = {
  name: 'keys',
  summary: "rotate the vault master key, or a tenant's data key",
  async run(args: string[]): Promise<number> {
    const [sub, ...rest] = args;
    if (sub === 'rotate') return rotate(rest);
    if (sub === 'rotate-data-key') return rotateDataKey(rest);
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      info(USAGE);
      return sub === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown subcommand "keys ${sub}".\n${USAGE}`);
  },
};
