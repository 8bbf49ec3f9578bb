import { describe, expect, it } from 'vitest';
import { settingsTypes } from './settings-types.ts';

describe('settingsTypes: the types a plugin types its hooks with', () => {
  it("writes Settings without the secrets (defaults count as present) and the secrets' names", () => {
    const text = settingsTypes({
      required: ['username'],
      properties: {
        username: { type: 'string', title: 'API username' },
        password: { type: 'string', writeOnly: true },
        token: { type: 'string', 'x-secret': true },
        platform: { type: 'string', enum: ['ro', 'bg', "o'k"], default: 'ro' },
        syncFrequencyMinutes: { type: 'integer', default: 60, description: 'How often' },
        autoGenerateInvoices: { type: 'boolean' },
        invoiceTemplateId: { type: ['string', 'null'] },
        'shop-url': { type: 'string', format: 'uri' },
        tags: { type: 'array', items: { type: ['string', 'number'] } },
        address: {
          type: 'object',
          required: ['city'],
          properties: { city: { type: 'string' }, zip: { type: 'string' } },
        },
        extra: { type: 'object' },
        mode: { const: 'live' },
        anything: {},
      },
    });
    expect(text).toBe(
      [
        '// Generated from plugin.manifest.json "settings" by `plugin types`; do not edit by hand.',
        '// Regenerate after changing the settings: npm run host -- plugin types <plugin folder>',
        '',
        '/** What `ctx.settings` holds: every setting but the secret ones, defaults filled in. */',
        'export interface Settings {',
        '  /** API username */',
        '  username: string;',
        "  platform: 'ro' | 'bg' | 'o\\'k';",
        '  /** How often */',
        '  syncFrequencyMinutes: number;',
        '  autoGenerateInvoices?: boolean;',
        '  invoiceTemplateId?: string | null;',
        "  'shop-url'?: string;",
        '  tags?: (string | number)[];',
        '  address?: {',
        '    city: string;',
        '    zip?: string;',
        '  };',
        '  extra?: Record<string, unknown>;',
        "  mode?: 'live';",
        '  anything?: unknown;',
        '}',
        '',
        '/** Secret settings: read with `ctx.secrets.get(name)`, never in `ctx.settings`. */',
        "export type SecretSetting = 'password' | 'token';",
        '',
      ].join('\n'),
    );
  });

  it('a plugin without settings or secrets gets an empty interface and no secret names', () => {
    expect(settingsTypes({})).toContain('export interface Settings {}\n');
    expect(settingsTypes({})).toContain('export type SecretSetting = never;\n');
  });
});
