import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * "Device cookies" (OWASP, Slow Down Online Guessing Attacks with Device Cookies): a browser that
 * signed in to an account successfully gets a signed cookie naming that account. Guesses from
 * clients without it are throttled per account; a known-good client keeps its own budget, so a
 * flood of wrong passwords from elsewhere never locks the owner out of their own account.
 */
export const DEVICE_COOKIE = 'mch_device';
const DEVICE_TTL_S = 180 * 24 * 60 * 60;

/** The HMAC key for device cookies, derived from the master key (stable across processes and restarts). */
export function deviceCookieSecret(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'mch login device cookie v1', 32));
}

function mac(secret: Buffer, nonce: string, email: string): string {
  return createHmac('sha256', secret).update(`${nonce}\n${email}`).digest('base64url');
}

/** A fresh device cookie value for `email` (normalised). */
export function issueDeviceToken(secret: Buffer, email: string): string {
  const nonce = randomBytes(16).toString('base64url');
  return `${nonce}.${mac(secret, nonce, email)}`;
}

/** The device id when `value` is a genuine device cookie for `email`, else null. */
export function knownDevice(secret: Buffer, value: string | undefined, email: string): string | null {
  if (!value || value.length > 200) return null;
  const [nonce, given, ...rest] = value.split('.');
  if (!nonce || !given || rest.length > 0) return null;
  const expected = Buffer.from(mac(secret, nonce, email));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? nonce : null;
}

/** `Set-Cookie` for the device cookie: only sent to the sign-in call, never readable by scripts. */
export function deviceCookie({ value, secure }: { value: string; secure: boolean }): string {
  const parts = [
    `${DEVICE_COOKIE}=${value}`,
    'Path=/trpc',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${DEVICE_TTL_S}`,
  ];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

/** A cookie's value from a `Cookie` request header. */
export function readCookie(cookieHeader: string | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const pair of cookieHeader.split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}
