import { describe, expect, it } from 'vitest';
import { validateRegistry } from './registry.ts';

describe('validateRegistry', () => {
  it('accepts relative plugin folders', () => {
    const result = validateRegistry({
      $schema: './schemas/generated/registry.schema.json',
      plugins: ['plugins/allegro'],
    });
    expect(result.ok).toBe(true);
  });

  it('refuses duplicates, escapes and unknown fields, each located', () => {
    const result = validateRegistry({
      plugins: ['plugins/a', './plugins/a/', '../evil', '/abs'],
      plugin: [],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => `${i.pointer} ${i.code}`)).toEqual([
      '/plugins/2 REGISTRY_INVALID',
      '/plugins/3 REGISTRY_INVALID',
      '/plugin REGISTRY_INVALID',
      '/plugins/1 MANIFEST_DUPLICATE',
    ]);
    expect(validateRegistry({ plugins: ['plugins/a', './plugins/a/'] })).toMatchObject({
      ok: false,
      issues: [{ pointer: '/plugins/1', code: 'MANIFEST_DUPLICATE' }],
    });
  });
});
