// The vault codes live in the host's one error table.
export { VAULT_ERROR_CODES, VaultError, type VaultErrorCode } from '../errors.ts';
