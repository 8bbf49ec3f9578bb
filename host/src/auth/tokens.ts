import { createHash, randomBytes } from 'node:crypto';

/** API tokens carry a prefix so leaked ones are recognisable by secret scanners. */
export const API_TOKEN_PREFIX = 'mch_';

/** 32 random bytes, base64url: what session cookies and API tokens carry. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Tokens are stored only as SHA-256: they are high-entropy, so a slow KDF adds nothing. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
