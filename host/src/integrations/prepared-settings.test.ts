import { compileSettingsValidator } from '@mch/schemas';
import { describe, expect, it } from 'vitest';
import { HostError } from '../errors.ts';
import type { LoadedPlugin } from '../plugins/types.ts';
import { currentSettings, prepareNewSettings, prepareUpdatedSettings } from './prepared-settings.ts';

const schema = {
  type: 'object',
  required: ['username', 'password'],
  properties: {
    username: { type: 'string', minLength: 1 },
    password: { type: 'string', writeOnly: true, minLength: 1 },
    every: { type: 'integer', minimum: 5, default: 60 },
  },
};

function plugin(extra: Partial<LoadedPlugin> = {}): LoadedPlugin {
  return {
    id: 'p',
    dir: '/p',
    manifest: { name: 'P', settings: schema, settingsVersion: 2 },
    definition: { hooks: {} },
    validateSettings: compileSettingsValidator(schema),
    ...extra,
  } as unknown as LoadedPlugin;
}

const issuesOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof HostError) return error.issues;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('integration settings', () => {
  it('splits a new integration’s settings, defaults filled, blank secrets absent', () => {
    expect(prepareNewSettings(plugin(), { username: 'u', password: 's' })).toEqual({
      public: { username: 'u', every: 60 },
      secret: { password: 's' },
    });
    expect(issuesOf(() => prepareNewSettings(plugin(), { username: 'u', password: '' }))).toEqual([
      expect.objectContaining({ path: '/settings/password', code: 'SETTINGS_REQUIRED' }),
    ]);
  });

  it('merges an update into what is stored and keeps a secret sent empty', () => {
    const updated = prepareUpdatedSettings({
      plugin: plugin(),
      storedPublic: { username: 'u', every: 60 },
      storedSecret: { password: 'old' },
      submitted: { every: 15, password: '' },
    });
    expect(updated).toEqual({ public: { username: 'u', every: 15 }, secret: { password: 'old' } });
  });

  it('refuses an invalid update with pointers into the request body', () => {
    const issues = issuesOf(() =>
      prepareUpdatedSettings({
        plugin: plugin(),
        storedPublic: { username: 'u', every: 60 },
        storedSecret: { password: 'old' },
        submitted: { every: 1, typo: true },
      }),
    );
    expect(issues?.map((i) => [i.path, i.code])).toEqual(
      expect.arrayContaining([
        ['/settings/every', 'SETTINGS_OUT_OF_RANGE'],
        ['/settings/typo', 'SETTINGS_UNKNOWN_FIELD'],
      ]),
    );
  });

  it('migrates settings stored under an older version, never exposing secrets', () => {
    const migrating = plugin({
      definition: {
        hooks: {},
        migrateSettings: ({ settings }: { settings: Record<string, unknown> }) => ({
          username: settings.user,
          password: 'leaked?',
          every: 30,
        }),
      } as unknown as LoadedPlugin['definition'],
    });
    expect(currentSettings(migrating, { settings: { user: 'u' }, settingsVersion: 1 })).toEqual({
      username: 'u',
      every: 30,
    });
    expect(currentSettings(migrating, { settings: { username: 'u' }, settingsVersion: 2 })).toEqual({
      username: 'u',
    });
  });
});
