import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { VaultError } from '../errors.ts';

/**
 * AES-256-GCM with a random 96-bit nonce and a 128-bit tag (NIST SP 800-38D). The envelope is
 * text so it fits a `text` column: `<version>.<keyId>.<iv>.<ciphertext>.<tag>`, base64url parts.
 * The AAD is never stored: the reader must supply the same context (tenant id), so a ciphertext
 * moved to another tenant fails authentication instead of decrypting.
 */
export const ENVELOPE_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export function assertKeyLength(key: Buffer, what: string): void {
  if (key.length !== KEY_BYTES) throw new Error(`${what} must be ${KEY_BYTES} bytes, got ${key.length}.`);
}

export function sealBytes({
  key,
  keyId,
  plaintext,
  aad,
}: {
  key: Buffer;
  keyId: string;
  plaintext: Buffer;
  aad: string;
}): string {
  assertKeyLength(key, 'An AES-256-GCM key');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    ENVELOPE_VERSION,
    keyId,
    iv.toString('base64url'),
    body.toString('base64url'),
    tag.toString('base64url'),
  ].join('.');
}

export interface ParsedEnvelope {
  keyId: string;
  iv: Buffer;
  body: Buffer;
  tag: Buffer;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

export function parseEnvelope(envelope: string, what: string): ParsedEnvelope {
  const parts = envelope.split('.');
  if (parts.length !== 5 || parts[0] !== ENVELOPE_VERSION) {
    const version = parts.length > 1 ? parts[0] : 'none';
    throw new VaultError(
      'VAULT_MALFORMED',
      `The ${what} is not a ${ENVELOPE_VERSION} vault envelope (version: ${version}); it was not written by this host's vault or was truncated.`,
    );
  }
  const [, keyId = '', ivText = '', bodyText = '', tagText = ''] = parts;
  if (![keyId, ivText, bodyText, tagText].every((p) => B64URL.test(p))) {
    throw new VaultError('VAULT_MALFORMED', `The ${what} contains characters a vault envelope never has.`);
  }
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new VaultError(
      'VAULT_MALFORMED',
      `The ${what} has a nonce or tag of the wrong length; it was truncated or altered.`,
    );
  }
  return { keyId, iv, body: Buffer.from(bodyText, 'base64url'), tag };
}

/** Decrypts and authenticates; any mismatch (altered bytes, other key, other AAD) → `VAULT_TAMPERED`. */
export function openBytes({
  key,
  envelope,
  aad,
  tamperedMessage,
}: {
  key: Buffer;
  envelope: ParsedEnvelope;
  aad: string;
  tamperedMessage: string;
}): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, envelope.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(envelope.tag);
    return Buffer.concat([decipher.update(envelope.body), decipher.final()]);
  } catch (cause) {
    throw new VaultError('VAULT_TAMPERED', tamperedMessage, { cause });
  }
}
