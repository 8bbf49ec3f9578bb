import { describe, expect, it } from 'vitest';
import { validateManifest } from '@mch/schemas';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { missingConfig, resolvePluginConfig } from './plugin-config.ts';

const allegro = validateManifest(
  JSON.parse(
    readFileSync(join(import.meta.dirname, '../../../plugins/allegro/plugin.manifest.json'), 'utf8'),
  ),
);
if (!allegro.ok) throw new Error('the Allegro manifest does not validate');
const manifest = allegro.manifest;
const resolve = (env: Record<string, string>, overrides?: Record<string, string>) =>
  resolvePluginConfig({ manifest, env, overrides, publicUrl: 'https://connector.example' });

describe('resolvePluginConfig', () => {
  it('reads declared variables with their defaults; nothing undeclared reaches the plugin', () => {
    const config = resolve({ ALLEGRO_CLIENT_ID: 'cid', HOME: '/root' });
    expect(config).toMatchObject({
      PUBLIC_URL: 'https://connector.example',
      ALLEGRO_CLIENT_ID: 'cid',
      ALLEGRO_SANDBOX: 'false',
      ALLEGRO_API_URL: 'https://api.allegro.pl',
      ALLEGRO_AUTH_URL: 'https://allegro.pl',
    });
    expect(config).not.toHaveProperty('HOME');
    expect(missingConfig(manifest, config)).toEqual(['ALLEGRO_CLIENT_SECRET', 'ALLEGRO_REDIRECT_URI']);
  });

  it('switches defaults by another variable (ALLEGRO_SANDBOX=true → the sandbox hosts)', () => {
    expect(resolve({ ALLEGRO_SANDBOX: 'true' })).toMatchObject({
      ALLEGRO_API_URL: 'https://api.allegro.pl.allegrosandbox.pl',
      ALLEGRO_AUTH_URL: 'https://allegro.pl.allegrosandbox.pl',
    });
    expect(resolve({ ALLEGRO_SANDBOX: 'TRUE ' })).toMatchObject({
      ALLEGRO_AUTH_URL: 'https://allegro.pl.allegrosandbox.pl',
    });
    expect(resolve({ ALLEGRO_SANDBOX: 'no' }).ALLEGRO_API_URL).toBe('https://api.allegro.pl');
  });

  it('lets a value set for the variable itself win over any default, and overrides over the environment', () => {
    const config = resolve(
      { ALLEGRO_SANDBOX: 'true', ALLEGRO_API_URL: 'http://127.0.0.1:4010', ALLEGRO_AUTH_URL: '' },
      { ALLEGRO_AUTH_URL: 'http://127.0.0.1:4011' },
    );
    expect(config.ALLEGRO_API_URL).toBe('http://127.0.0.1:4010');
    expect(config.ALLEGRO_AUTH_URL).toBe('http://127.0.0.1:4011');
    expect(resolve({ ALLEGRO_SANDBOX: 'true', ALLEGRO_AUTH_URL: '' }).ALLEGRO_AUTH_URL).toBe(
      'https://allegro.pl.allegrosandbox.pl',
    );
  });
});
