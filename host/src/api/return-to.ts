import { z } from 'zod';

/**
 * A path on this host (`/settings/…`), never anywhere else. Browsers strip TAB, CR and LF from
 * URLs and read `\` as `/` (WHATWG URL), so `/\t/evil.example/` and `/\evil.example` become
 * `//evil.example`, another site: any control character, whitespace or backslash is refused
 * outright, and what remains must resolve to this origin.
 */
export function isLocalPath(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (!value.startsWith('/') || /[\u0000-\u0020\u007f-\u00a0\\\u2028\u2029\ufeff]/.test(value)) return false;
  if (value.startsWith('//')) return false;
  try {
    const base = 'http://return-to.invalid';
    return new URL(value, base).origin === base;
  } catch {
    return false;
  }
}

export const ReturnToSchema = z
  .string()
  .max(500)
  .refine(isLocalPath, { message: 'must be a path on this host, such as /settings/integrations' });
