export { VaultError, VAULT_ERROR_CODES, type VaultErrorCode } from '../errors.ts';
export {
  generateMasterKeyText,
  masterKeyId,
  parseMasterKey,
  readMasterKeyFile,
  resolveMasterKey,
  writeMasterKeyFile,
  MASTER_KEY_FILE,
  type MasterKey,
} from './master-key.ts';
export { createVault, type Vault, type VaultInput } from './vault.ts';
export { rotateMasterKey, rotateTenantDataKey, type RotateMasterKeyResult } from './rotate.ts';
export {
  saveCredential,
  loadCredential,
  deleteCredentials,
  credentialContext,
  type StoredCredential,
} from './credentials.ts';
export { checkMasterKey } from './master-key-check.ts';
export { rotateMasterKeyFile, type KeyFileRotation } from './rotate-key-file.ts';
