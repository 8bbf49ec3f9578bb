// The tenancy codes live in the host's one error table.
export { TENANCY_ERROR_CODES, TenancyError, type TenancyErrorCode } from '../errors.ts';
