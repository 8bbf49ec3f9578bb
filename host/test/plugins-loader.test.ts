import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { redactSettings, splitSettings } from '@mch/schemas';
import { loadPlugins, pluginCatalog, type LoadedPlugin } from '../src/plugins/index.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'plugins');
const REGISTRY = join(FIXTURES, 'plugin.manifest.json');
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

describe('loadPlugins with the fixture registry', async () => {
  const result = await loadPlugins({ registryPath: REGISTRY, hostVersion: '0.1.0' });
  const byId = (id: string): LoadedPlugin => {
    const plugin = result.plugins.find((p) => p.id === id);
    if (!plugin) throw new Error(`${id} did not load: ${JSON.stringify(result.refused)}`);
    return plugin;
  };

  it('loads the valid plugins although others are broken', () => {
    expect(result.registryIssues).toEqual([]);
    expect(result.plugins.map((p) => p.id)).toEqual(['fixture-basic', 'fixture-rich']);
  });

  it('refuses the broken manifest with exactly its three located errors', () => {
    const broken = result.refused.find((r) => r.id === 'fixture-broken');
    expect(broken?.dir).toBe(join(FIXTURES, 'fixture-broken'));
    expect(broken?.issues.map(({ pointer, code }) => ({ pointer, code }))).toEqual([
      { pointer: '/version', code: 'MANIFEST_VERSION_INVALID' },
      { pointer: '/jobs/0/hook', code: 'MANIFEST_HOOK_MISSING' },
      { pointer: '/jobs/1/interval/setting', code: 'MANIFEST_SETTING_REFERENCE' },
    ]);
    expect(broken?.issues[1]?.message).toBe(
      "names hook 'syncOrdrs', but ./src/index.ts defines no such hook; define it in definePlugin({ hooks }) or use one of: 'syncOrders'",
    );
  });

  it('refuses a folder without a manifest with a clear sentence', () => {
    const missing = result.refused.find((r) => r.dir.endsWith('fixture-missing'));
    expect(missing?.id).toBeUndefined();
    expect(missing?.issues).toEqual([
      expect.objectContaining({
        code: 'MANIFEST_NOT_FOUND',
        pointer: '',
        message: expect.stringContaining('has no plugin.manifest.json'),
      }),
    ]);
  });

  it('wires in the plugin module: its hooks are the real code', async () => {
    const basic = byId('fixture-basic');
    const calls: string[] = [];
    const store = new Map<string, unknown>();
    const ctx = {
      store: {
        get: async (k: string) => store.get(k),
        set: async (k: string, v: unknown) => void store.set(k, v),
      },
      http: {
        request: async ({ path }: { path: string }) => {
          calls.push(path);
          return {
            status: 200,
            headers: {},
            body: '',
            json: () => [{ id: 'o-1', updatedAt: '2026-01-01T00:00:00Z' }],
          };
        },
      },
      records: { upsert: async () => ({ status: 'created', hostId: 'inv-1' }) },
      progress: () => undefined,
    };
    const output = await basic.definition.hooks.syncOrders!(ctx as never, { jobId: 'sync-orders' } as never);
    expect(output).toEqual({ counts: { orders: 1, invoices: 1 } });
    expect(calls).toEqual(['/order/read']);
    expect(store.get('cursor')).toBe('2026-01-01T00:00:00Z');
  });

  it('validates settings with defaults, per-field issues and unknown keys refused', () => {
    const basic = byId('fixture-basic');
    expect(basic.validateSettings({ username: 'u', password: 'p' })).toEqual({
      ok: true,
      value: {
        username: 'u',
        password: 'p',
        platform: 'ro',
        syncFrequencyMinutes: 60,
        autoGenerateInvoices: true,
        acknowledgeOrders: false,
      },
    });
    const bad = basic.validateSettings({ username: 'u', syncFrequencyMinutes: 2, platfrom: 'ro' });
    expect(bad.ok ? [] : bad.issues.map((i) => `${i.path} ${i.code}`).sort()).toEqual([
      '/password SETTINGS_REQUIRED',
      '/platfrom SETTINGS_UNKNOWN_FIELD',
      '/syncFrequencyMinutes SETTINGS_OUT_OF_RANGE',
    ]);
    expect(splitSettings(basic.manifest.settings, { username: 'u', password: 'p' })).toEqual({
      public: { username: 'u' },
      secret: { password: 'p' },
    });
    expect(redactSettings(basic.manifest.settings, { username: 'u', password: 'p' })).toEqual({
      username: 'u',
    });
  });

  it('validates the rich schema: nested objects, arrays, oneOf and if/then', () => {
    const rich = byId('fixture-rich');
    const ok = rich.validateSettings({
      invoicing: { series: 'ALG' },
      payment: { mode: 'delayed', afterHours: 24 },
    });
    expect(ok.ok).toBe(true);
    const bad = rich.validateSettings({
      invoicing: { series: 'alg', extra: 1 },
      warehouses: [{ primary: true }],
      payment: { mode: 'delayed' },
      useCustomTemplate: true,
      defaultVatRate: 23.3,
    });
    expect(bad.ok).toBe(false);
    const paths = bad.ok ? [] : [...new Set(bad.issues.map((i) => i.path))].sort();
    expect(paths).toEqual(
      expect.arrayContaining([
        '/defaultVatRate',
        '/invoiceTemplateId',
        '/invoicing/extra',
        '/invoicing/series',
        '/payment/afterHours',
        '/warehouses/0/code',
      ]),
    );
  });

  it('lists loaded and refused plugins for the API', () => {
    const catalog = pluginCatalog(result);
    expect(catalog.plugins.map((p) => `${p.id}@${p.version} ${p.auth}`)).toEqual([
      'fixture-basic@1.0.0 basic',
      'fixture-rich@0.3.0-beta.1 oauth2',
    ]);
    expect(catalog.refused.map((r) => [r.id, r.issues.length])).toEqual([
      ['fixture-broken', 3],
      [undefined, 1],
    ]);
  });
});

describe('loadPlugins edge cases', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  async function registry(plugins: string[]): Promise<string> {
    await mkdir(ARTIFACTS, { recursive: true });
    const dir = await mkdtemp(join(ARTIFACTS, 'registry-'));
    dirs.push(dir);
    await writeFile(join(dir, 'plugin.manifest.json'), JSON.stringify({ plugins }));
    return join(dir, 'plugin.manifest.json');
  }

  it('refuses a second plugin with an id already loaded', async () => {
    // A valid copy of fixture-basic under another folder: only its id is wrong.
    const path = await registry(['first', 'second']);
    const [first, second] = [join(dirname(path), 'first'), join(dirname(path), 'second')];
    await cp(join(FIXTURES, 'fixture-basic'), first, { recursive: true });
    await cp(join(FIXTURES, 'fixture-basic'), second, { recursive: true });
    const result = await loadPlugins({ registryPath: path, hostVersion: '0.1.0' });
    expect(result.plugins.map((p) => p.dir)).toEqual([first]);
    expect(result.refused).toEqual([
      {
        dir: second,
        id: 'fixture-basic',
        issues: [expect.objectContaining({ code: 'MANIFEST_DUPLICATE_PLUGIN', pointer: '/id' })],
      },
    ]);
  });

  it('refuses plugins whose host range excludes this host', async () => {
    const result = await loadPlugins({ registryPath: REGISTRY, hostVersion: '1.0.0' });
    expect(result.plugins.map((p) => p.id)).toEqual([]);
    const basic = result.refused.find((r) => r.id === 'fixture-basic');
    expect(basic?.issues).toEqual([
      expect.objectContaining({ code: 'MANIFEST_HOST_RANGE', pointer: '/host' }),
    ]);
  });

  it('reports a broken registry instead of throwing', async () => {
    const path = await registry([]);
    await writeFile(path, '{ "plugins": [');
    const result = await loadPlugins({ registryPath: path });
    expect(result.registryIssues).toEqual([
      expect.objectContaining({ code: 'REGISTRY_INVALID_JSON', pointer: '' }),
    ]);
    const missing = await loadPlugins({ registryPath: join(path, 'nope.json') });
    expect(missing.registryIssues).toEqual([expect.objectContaining({ code: 'REGISTRY_NOT_FOUND' })]);
  });

  it('reports an entry that does not export a definePlugin value, and a missing sandbox', async () => {
    const path = await registry([]);
    const plugin = join(dirname(path), 'odd');
    await cp(join(FIXTURES, 'fixture-broken'), plugin, { recursive: true });
    await writeFile(join(plugin, 'src', 'index.ts'), 'export default { hooks: {} };\n');
    await rm(join(plugin, 'sandbox'), { recursive: true });
    const manifest = JSON.parse(await readFile(join(plugin, 'plugin.manifest.json'), 'utf8')) as object;
    await writeFile(
      join(plugin, 'plugin.manifest.json'),
      JSON.stringify({ ...manifest, version: '1.0.0', jobs: [] }),
    );
    await writeFile(path, JSON.stringify({ plugins: ['odd'] }));
    const result = await loadPlugins({ registryPath: path, hostVersion: '0.1.0' });
    expect(result.refused[0]?.issues.map((i) => `${i.pointer} ${i.code}`)).toEqual([
      '/entry MANIFEST_ENTRY_INVALID',
      '/sandbox/entry MANIFEST_SANDBOX_MISSING',
    ]);
  });
});
