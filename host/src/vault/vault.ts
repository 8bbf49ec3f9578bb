import type { EntityManager } from '@mikro-orm/core';
import type { Database } from '../db/orm.ts';
import { openBytes, parseEnvelope, sealBytes } from './aes-gcm.ts';
import { VaultError } from '../errors.ts';
import { masterKeyId, type MasterKey } from './master-key.ts';
import { loadOrCreateDataKey, type DataKey } from './tenant-keys.ts';

export interface VaultInput {
  tenantId: string;
  /**
   * Extra binding (e.g. `credential:<integrationId>:<kind>`): the ciphertext then only opens
   * with the same context, so secrets cannot be swapped between records of one tenant.
   */
  context?: string;
  /**
   * The caller's entity manager when it holds a transaction: the tenant key is then read in it.
   * Without it the vault forks its own — which deadlocks on the embedded database if the caller
   * is inside a transaction, so pass it there.
   */
  em?: EntityManager;
}

export interface Vault {
  /** Id of the master key this vault wraps new tenant keys with. */
  readonly masterKeyId: string;
  encrypt(input: VaultInput & { plaintext: string | Uint8Array }): Promise<string>;
  decrypt(input: VaultInput & { ciphertext: string }): Promise<string>;
  decryptBytes(input: VaultInput & { ciphertext: string }): Promise<Buffer>;
  /** JSON value in, envelope out. */
  seal(input: VaultInput & { value: unknown }): Promise<string>;
  open<T = unknown>(input: VaultInput & { ciphertext: string }): Promise<T>;
  /** Drops cached data keys (after a tenant data-key rotation). */
  forget(tenantId?: string): void;
}

/** The AAD binds tenant and context; it is rebuilt on read, never stored. */
export const vaultAad = (tenantId: string, context: string | undefined) =>
  `mch:vault:${tenantId}:${context ?? ''}`;

/**
 * Envelope encryption (SPEC "Vault"): AES-256-GCM under a per-tenant data key, itself wrapped by the
 * master key in `tenant_keys`. Unwrapped data keys are cached in memory for the process's life.
 */
export function createVault({ db, masterKey }: { db: Database; masterKey: MasterKey | Buffer }): Vault {
  const master = Buffer.isBuffer(masterKey) ? masterKey : masterKey.key;
  const cache = new Map<string, DataKey>();

  async function dataKey(input: VaultInput, wantedId?: string): Promise<DataKey> {
    const cached = cache.get(input.tenantId);
    if (cached && (wantedId === undefined || cached.id === wantedId)) return cached;
    const em = input.em ?? db.orm.em.fork();
    const key = await loadOrCreateDataKey({ em, masterKey: master, tenantId: input.tenantId });
    // A key created inside the caller's transaction may still roll back; cache only committed ones.
    if (!em.isInTransaction()) cache.set(input.tenantId, key);
    return key;
  }

  async function decryptBytes(input: VaultInput & { ciphertext: string }): Promise<Buffer> {
    const envelope = parseEnvelope(input.ciphertext, 'ciphertext');
    const key = await dataKey(input, envelope.keyId);
    if (key.id !== envelope.keyId) {
      throw new VaultError(
        'VAULT_TAMPERED',
        `The ciphertext was not sealed with tenant ${input.tenantId}'s data key: it belongs to another tenant, ` +
          `predates a data-key rotation, or was altered.`,
      );
    }
    return openBytes({
      key: key.key,
      envelope,
      aad: vaultAad(input.tenantId, input.context),
      tamperedMessage:
        `The ciphertext failed authentication for tenant ${input.tenantId}: it was altered, ` +
        `or copied from another record or tenant.`,
    });
  }

  async function encrypt(input: VaultInput & { plaintext: string | Uint8Array }): Promise<string> {
    const key = await dataKey(input);
    const plaintext =
      typeof input.plaintext === 'string'
        ? Buffer.from(input.plaintext, 'utf8')
        : Buffer.from(input.plaintext);
    return sealBytes({
      key: key.key,
      keyId: key.id,
      plaintext,
      aad: vaultAad(input.tenantId, input.context),
    });
  }

  async function decrypt(input: VaultInput & { ciphertext: string }): Promise<string> {
    return (await decryptBytes(input)).toString('utf8');
  }

  // Plain functions, not methods: callers may destructure them (`const { seal } = vault`).
  return {
    masterKeyId: masterKeyId(master),
    encrypt,
    decrypt,
    decryptBytes,
    async seal(input) {
      const json = JSON.stringify(input.value);
      if (json === undefined)
        throw new TypeError('vault.seal needs a JSON value; got undefined or a function.');
      return encrypt({ ...input, plaintext: json });
    },
    async open<T = unknown>(input: VaultInput & { ciphertext: string }): Promise<T> {
      const text = await decrypt(input);
      try {
        return JSON.parse(text) as T;
      } catch (cause) {
        throw new VaultError(
          'VAULT_BAD_PAYLOAD',
          `A secret of tenant ${input.tenantId} decrypted but is not JSON.`,
          {
            cause,
          },
        );
      }
    },
    forget(tenantId) {
      if (tenantId === undefined) cache.clear();
      else cache.delete(tenantId);
    },
  };
}
