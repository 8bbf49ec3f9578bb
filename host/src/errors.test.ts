import { describe, expect, it } from 'vitest';
import * as auth from './auth/index.ts';
import * as errors from './errors.ts';
import * as scheduler from './scheduler/index.ts';
import * as tenancy from './tenancy/index.ts';
import * as vault from './vault/index.ts';

describe("the host's error table", () => {
  it('gives every code once, in upper snake case', () => {
    const codes = errors.HOST_ERROR_CODES;
    expect(codes.length).toBeGreaterThan(30);
    expect(codes.filter((code, i) => codes.indexOf(code) !== i)).toEqual([]);
    for (const code of codes) expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
  });

  it('is the one the module indexes export (same classes, so instanceof holds across them)', () => {
    expect(auth.AuthError).toBe(errors.SignInError);
    expect(auth.AccessError).toBe(errors.AccessError);
    expect(tenancy.TenancyError).toBe(errors.TenancyError);
    expect(vault.VaultError).toBe(errors.VaultError);
    expect(scheduler.NonRetryableError).toBe(errors.NonRetryableError);
  });

  it('answers each module code with a real HTTP status', () => {
    const statuses = [
      ...Object.values(errors.ERROR_STATUS),
      ...Object.values(errors.TENANCY_ERROR_CODES),
      ...Object.values(errors.AUTH_ERROR_CODES),
      ...Object.values(errors.ACCESS_ERROR_CODES),
    ];
    for (const status of statuses) expect(status >= 400 && status < 600).toBe(true);
    expect(new errors.TenancyError('TENANT_SLUG_TAKEN', 'taken').status).toBe(409);
  });
});
