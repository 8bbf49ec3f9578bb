/** Every failure the vault reports. Messages name what to do; they never contain key material. */
export const VAULT_ERROR_CODES = [
  /** `HOST_MASTER_KEY` is not 32 bytes of base64 or hex. */
  'VAULT_MASTER_KEY_INVALID',
  /** `<DATA_DIR>/master.key` is readable by group or others, or unreadable. */
  'VAULT_MASTER_KEY_FILE_UNSAFE',
  /** A tenant's data key was wrapped by another master key (its `masterKeyId` differs). */
  'VAULT_WRONG_MASTER_KEY',
  /** Authentication failed: the ciphertext (or wrapped key) was altered or belongs to another tenant. */
  'VAULT_TAMPERED',
  /** Not a vault envelope, or a version this host does not know. */
  'VAULT_MALFORMED',
  /** A stored JSON secret could not be parsed after decryption. */
  'VAULT_BAD_PAYLOAD',
  /** A credential changed since the caller read it (optimistic `version` check, e.g. token refresh). */
  'VAULT_CREDENTIAL_CONFLICT',
  /** The credential row exists under another tenant: refuse to touch it. */
  'VAULT_CREDENTIAL_TENANT_MISMATCH',
] as const;
export type VaultErrorCode = (typeof VAULT_ERROR_CODES)[number];

export class VaultError extends Error {
  override name = 'VaultError';
  readonly code: VaultErrorCode;

  constructor(code: VaultErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
