import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { SignInError as AuthError } from '../errors.ts';
import { HashGate, type HashRequest } from './hash-gate.ts';

/**
 * scrypt (RFC 7914) from Node's crypto: no native dependency. N=2^15, r=8, p=1 is OWASP's
 * minimum recommendation; it needs 32 MiB, above Node's default `maxmem`, hence the explicit limit.
 * Stored as `scrypt$N$r$p$salt$hash` (base64url), so parameters can be raised later.
 */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Bounds for parameters read back from a stored hash, so a tampered row cannot exhaust memory. */
const MAX_N = 2 ** 20;

export const PASSWORD_MIN_LENGTH = 10;
/** scrypt's cost does not depend on length, but nobody needs more and it bounds request size. */
export const PASSWORD_MAX_LENGTH = 256;

/**
 * One gate per process, like the libuv thread pool it protects: every scrypt call (login, password
 * change, user creation) goes through it.
 */
export const passwordHashGate = new HashGate();

function derive(
  password: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
  lane: HashRequest,
): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return passwordHashGate.run(
    lane,
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scrypt(password.normalize('NFKC'), salt, KEY_BYTES, options, (error, key) =>
          error ? reject(error) : resolve(key),
        );
      }),
  );
}

/** Throws `AUTH_WEAK_PASSWORD` with the rule that failed. */
export function checkPasswordPolicy(password: string, context: { email?: string } = {}): void {
  const length = [...password].length;
  const fail = (why: string) => {
    throw new AuthError('AUTH_WEAK_PASSWORD', `The password ${why}.`);
  };
  if (length < PASSWORD_MIN_LENGTH)
    fail(`must be at least ${PASSWORD_MIN_LENGTH} characters long (it has ${length})`);
  if (length > PASSWORD_MAX_LENGTH) fail(`must be at most ${PASSWORD_MAX_LENGTH} characters long`);
  if (new Set(password).size < 4) fail('must use at least 4 different characters');
  if (context.email && password.toLowerCase() === context.email.toLowerCase())
    fail('must not be the email address');
}

export async function hashPassword(password: string, lane: HashRequest = 'normal'): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, PARAMS, lane);
  return [
    'scrypt',
    PARAMS.N,
    PARAMS.r,
    PARAMS.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

function parseHash(stored: string): { N: number; r: number; p: number; salt: Buffer; hash: Buffer } {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split('$');
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const valid =
    scheme === 'scrypt' &&
    rest.length === 0 &&
    Number.isInteger(params.N) &&
    params.N > 1 &&
    params.N <= MAX_N &&
    (params.N & (params.N - 1)) === 0 &&
    Number.isInteger(params.r) &&
    params.r >= 1 &&
    params.r <= 32 &&
    Number.isInteger(params.p) &&
    params.p >= 1 &&
    params.p <= 16 &&
    salt &&
    hash;
  if (!valid)
    throw new AuthError(
      'AUTH_BAD_HASH',
      'A stored password hash is not a scrypt hash this host can verify; reset the password.',
    );
  return { ...params, salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') };
}

/** Constant-time comparison of the derived key. */
export async function verifyPassword(
  password: string,
  stored: string,
  lane: HashRequest = 'normal',
): Promise<boolean> {
  const parsed = parseHash(stored);
  const candidate = await derive(password, parsed.salt, parsed, lane);
  return candidate.length === parsed.hash.length && timingSafeEqual(candidate, parsed.hash);
}

/** True when a hash was made with weaker parameters than today's: rehash at next login. */
export function needsRehash(stored: string): boolean {
  const { N, r, p } = parseHash(stored);
  return N < PARAMS.N || r < PARAMS.r || p < PARAMS.p;
}

/** A random password (20 chars, ~120 bits) for accounts created without one; shown once. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}

let dummyHash: Promise<string> | undefined;
/**
 * A hash to verify against when the email is unknown, so a failed login costs the same scrypt
 * work whether or not the account exists.
 */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}
