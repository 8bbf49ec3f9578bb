import { describe, expect, it } from 'vitest';
import { SignInError as AuthError } from '../errors.ts';
import {
  checkPasswordPolicy,
  generatePassword,
  hashPassword,
  needsRehash,
  verifyPassword,
} from './password.ts';

describe('password hashing', () => {
  it('stores scrypt$N$r$p$salt$hash with N ≥ 2^15 and a fresh salt, and verifies', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterz', a)).toBe(false);
    expect(needsRehash(a)).toBe(false);
    expect(needsRehash(a.replace('$32768$', '$16384$'))).toBe(true);
  });

  it('refuses a malformed or absurd stored hash instead of guessing', async () => {
    await expect(verifyPassword('x', 'plain')).rejects.toThrow(AuthError);
    await expect(verifyPassword('x', 'scrypt$1073741824$8$1$AAAA$AAAA')).rejects.toThrow(
      /reset the password/,
    );
  });

  it('applies the minimum policy with a clear message', () => {
    expect(() => checkPasswordPolicy('short')).toThrow(/at least 10 characters.*has 5/);
    expect(() => checkPasswordPolicy('aaaaaaaaaaaa')).toThrow(/4 different characters/);
    expect(() => checkPasswordPolicy('a@example.com', { email: 'A@example.com' })).toThrow(/email/);
    expect(() => checkPasswordPolicy('x'.repeat(300))).toThrow(/at most/);
    expect(() => checkPasswordPolicy(generatePassword())).not.toThrow();
  });
});
