import { TenancyError } from '../errors.ts';

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** Letters NFKD does not decompose into ASCII (Polish ł, German ß, …). */
const EXTRA: Record<string, string> = { ł: 'l', Ł: 'l', ß: 'ss', æ: 'ae', ø: 'o', đ: 'd', ı: 'i' };

/** `"Sklep Łódź & Co."` → `"sklep-lodz-co"`: lowercase ASCII, digits and single hyphens. */
export function slugify(name: string): string {
  return name
    .replace(/[łŁßæøđı]/g, (c) => EXTRA[c] ?? c)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/g, '');
}

export function assertSlug(slug: string): void {
  if (!SLUG_PATTERN.test(slug)) {
    throw new TenancyError(
      'TENANT_SLUG_INVALID',
      `The slug "${slug}" is invalid: use 1–64 lowercase letters, digits and hyphens, starting and ending with a letter or digit.`,
    );
  }
}
