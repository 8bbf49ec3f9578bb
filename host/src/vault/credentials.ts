import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { VaultError } from '../errors.ts';
import { sqlRows } from './raw-sql.ts';
import type { Vault } from './vault.ts';

/**
 * Encrypted secrets of an integration, one row per `kind` (`oauth`, `basic`, `settings`, …).
 * The envelope is bound to `integrationId` and `kind`, so a row's ciphertext copied onto another
 * integration's row does not decrypt. Raw SQL keeps the upsert atomic across processes.
 */
export const credentialContext = (integrationId: string, kind: string) =>
  `credential:${integrationId}:${kind}`;

export interface CredentialKey {
  em: EntityManager;
  tenantId: string;
  integrationId: string;
  kind: string;
}

export interface StoredCredential<T> {
  secret: T;
  version: number;
  expiresAt: Date | null;
  updatedAt: Date;
}

const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

/**
 * Stores (insert or replace) a secret and bumps `version`. With `expectedVersion`, replaces only if
 * nobody wrote since that version (concurrent token refresh) and throws `VAULT_CREDENTIAL_CONFLICT`.
 */
export async function saveCredential(
  input: CredentialKey & { vault: Vault; secret: unknown; expiresAt?: Date | null; expectedVersion?: number },
): Promise<{ id: string; version: number }> {
  const { em, vault, tenantId, integrationId, kind } = input;
  const ciphertext = await vault.seal({
    em,
    tenantId,
    context: credentialContext(integrationId, kind),
    value: input.secret,
  });
  const now = new Date();
  const expiresAt = input.expiresAt ?? null;
  if (input.expectedVersion !== undefined) {
    const rows = await sqlRows<{ id: string; version: number }>(
      em,
      `update credentials set ciphertext = ?, expires_at = ?, version = version + 1, updated_at = ?
       where tenant_id = ? and integration_id = ? and kind = ? and version = ? returning id, version`,
      [ciphertext, expiresAt, now, tenantId, integrationId, kind, input.expectedVersion],
    );
    if (!rows[0]) {
      throw new VaultError(
        'VAULT_CREDENTIAL_CONFLICT',
        `The ${kind} credential of integration ${integrationId} changed since version ${input.expectedVersion}; read it again.`,
      );
    }
    return { id: rows[0].id, version: Number(rows[0].version) };
  }
  const rows = await sqlRows<{ id: string; version: number }>(
    em,
    `insert into credentials (id, tenant_id, integration_id, kind, ciphertext, expires_at, version, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, 1, ?, ?)
     on conflict (integration_id, kind) do update
       set ciphertext = excluded.ciphertext, expires_at = excluded.expires_at,
           version = credentials.version + 1, updated_at = excluded.updated_at
       where credentials.tenant_id = excluded.tenant_id
     returning id, version`,
    [randomUUID(), tenantId, integrationId, kind, ciphertext, expiresAt, now, now],
  );
  if (!rows[0]) {
    throw new VaultError(
      'VAULT_CREDENTIAL_TENANT_MISMATCH',
      `Integration ${integrationId}'s ${kind} credential belongs to another tenant; refusing to overwrite it.`,
    );
  }
  return { id: rows[0].id, version: Number(rows[0].version) };
}

/** The decrypted secret, or null when the integration has none of that kind in this tenant. */
export async function loadCredential<T = unknown>(
  input: CredentialKey & { vault: Vault },
): Promise<StoredCredential<T> | null> {
  const { em, vault, tenantId, integrationId, kind } = input;
  const rows = await sqlRows<{
    ciphertext: string;
    version: number;
    expires_at: unknown;
    updated_at: unknown;
  }>(
    em,
    'select ciphertext, version, expires_at, updated_at from credentials where tenant_id = ? and integration_id = ? and kind = ?',
    [tenantId, integrationId, kind],
  );
  const row = rows[0];
  if (!row) return null;
  const secret = await vault.open<T>({
    em,
    tenantId,
    context: credentialContext(integrationId, kind),
    ciphertext: row.ciphertext,
  });
  return {
    secret,
    version: Number(row.version),
    expiresAt: row.expires_at == null ? null : toDate(row.expires_at),
    updatedAt: toDate(row.updated_at),
  };
}

/** Deletes an integration's credentials (one kind, or all); returns how many rows went. */
export async function deleteCredentials(
  input: Omit<CredentialKey, 'kind'> & { kind?: string },
): Promise<number> {
  const { em, tenantId, integrationId, kind } = input;
  const rows = await sqlRows<{ id: string }>(
    em,
    `delete from credentials where tenant_id = ? and integration_id = ?${kind === undefined ? '' : ' and kind = ?'} returning id`,
    kind === undefined ? [tenantId, integrationId] : [tenantId, integrationId, kind],
  );
  return rows.length;
}
