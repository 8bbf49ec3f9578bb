import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_VERSION } from '../src/app/version.ts';
import { syncPluginSchedules } from '../src/integrations/schedule.ts';
import { watchPlugins, type PluginWatcher } from '../src/plugins/hot-reload.ts';
import { startTestHost, type TestHost } from './support/test-host.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'plugins', 'fixture-apikey');
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
const HOST_SRC = join(import.meta.dirname, '..', 'src');
const moduleUrl = (...path: string[]) => JSON.stringify(pathToFileURL(join(HOST_SRC, ...path)).href);

// Issue 14: editing a manifest or a hook reloads that plugin in the running host (development).
describe('hot reload of an edited plugin, without a restart', () => {
  let root: string;
  let dir: string;
  let host: TestHost;
  let watcher: PluginWatcher;

  const plugin = () => host.app.services.plugins.get('fixture-apikey')!;
  const edit = async (file: string, change: (text: string) => string) => {
    const reloaded = watcher.nextReload();
    await writeFile(join(dir, file), change(await readFile(join(dir, file), 'utf8')));
    return reloaded;
  };

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    root = await mkdtemp(join(ARTIFACTS, 'hot-reload-'));
    dir = join(root, 'plugins', 'shop');
    await cp(FIXTURE, dir, { recursive: true });
    // The entry imports another module of the plugin: both must be loaded anew after an edit.
    await writeFile(join(dir, 'src', 'edition.ts'), 'export const EDITION = 1;\n');
    const index = await readFile(join(dir, 'src', 'index.ts'), 'utf8');
    await writeFile(
      join(dir, 'src', 'index.ts'),
      `import { EDITION } from './edition.ts';\n${index.replace(
        'export default definePlugin({',
        'export default definePlugin({\n  migrateSettings: ({ settings }) => ({ ...settings, edition: EDITION }),',
      )}`,
    );
    await writeFile(join(root, 'plugin.manifest.json'), JSON.stringify({ plugins: ['plugins/shop'] }));
    host = await startTestHost({ registryPath: join(root, 'plugin.manifest.json') });
    // As `start --watch-plugins` wires it: a reloaded plugin's jobs are scheduled again.
    watcher = watchPlugins({
      plugins: host.app.services.plugins,
      hostVersion: HOST_VERSION,
      logger: host.app.services.logger,
      onReload: (reloaded) => syncPluginSchedules(host.app.services, reloaded).then(() => undefined),
    });
  });
  afterAll(async () => {
    watcher?.close();
    await host?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('a manifest edit is served at once: the name and a setting title in the API', async () => {
    expect(plugin().manifest.name).toBe('Fixture Shop');
    const edited = await edit('plugin.manifest.json', (text) =>
      text.replace('"Fixture Shop"', '"Fixture Shop (edited)"').replace('"Store address"', '"Shop address"'),
    );
    expect(edited).toEqual({ pluginId: 'fixture-apikey', ok: true });
    expect(plugin().manifest.name).toBe('Fixture Shop (edited)');
    const admin = await host.createActor({ role: 'platform_admin' });
    const listed = JSON.stringify(await admin.trpc.plugins.list.query());
    expect(listed).toContain('Fixture Shop (edited)');
    expect(listed).toContain('Shop address');
  });

  it("an interval edited in the manifest reschedules every account's job at once", async () => {
    const schedule = async (integrationId: string) =>
      (
        await host.database.db.pool.query<{ repeat_interval: string | number | null }>(
          `select repeat_interval from agenda_jobs where data->>'integrationId' = $1 and data->>'trigger' = 'schedule'`,
          [integrationId],
        )
      ).rows.map((r) => String(r.repeat_interval));
    const ids: string[] = [];
    for (const store of ['https://one.example', 'https://two.example']) {
      const tenant = await host.createTenant();
      const user = await host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
      const { id } = await user.trpc.integrations.create.mutate({
        pluginId: 'fixture-apikey',
        settings: { storeUrl: store, apiKey: 'key-1', storeToken: 'token-1' },
      });
      ids.push(id);
    }
    for (const id of ids) expect(await schedule(id)).toEqual([String(60 * 60_000)]);
    const edited = await edit('plugin.manifest.json', (text) =>
      text.replace('"every": "1 hour"', '"every": "5 minutes"'),
    );
    expect(edited).toEqual({ pluginId: 'fixture-apikey', ok: true });
    for (const id of ids) expect(await schedule(id)).toEqual([String(5 * 60_000)]);
  });

  it('a code edit in a module the entry imports is loaded anew (in a plain Node process, as the CLI runs)', async () => {
    // Vitest loads modules through its own runner; the watcher's import hooks are Node's, so the
    // reload of code is shown in a plain Node process running the same watcher on the same folder.
    const script = `
      import { writeFile } from 'node:fs/promises';
      import { loadPlugins } from ${moduleUrl('plugins', 'loader.ts')};
      import { watchPlugins } from ${moduleUrl('plugins', 'hot-reload.ts')};
      const loaded = await loadPlugins({ registryPath: ${JSON.stringify(join(root, 'plugin.manifest.json'))} });
      const byId = new Map(loaded.plugins.map((p) => [p.id, p]));
      const plugins = { ...loaded, get: (id) => byId.get(id), replace: (p) => byId.set(p.id, p) };
      const edition = () => byId.get('fixture-apikey').definition.migrateSettings({ fromVersion: 1, settings: {} }).edition;
      const logger = { info() {}, warn() {}, error() {}, debug() {} };
      const watcher = watchPlugins({ plugins, hostVersion: ${JSON.stringify(HOST_VERSION)}, logger });
      const before = edition();
      const reloaded = watcher.nextReload();
      await writeFile(${JSON.stringify(join(dir, 'src', 'edition.ts'))}, 'export const EDITION = 3;');
      const result = await reloaded;
      watcher.close();
      console.log(JSON.stringify({ before, result, after: edition() }));
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code, err).toBe(0);
    expect(JSON.parse(out)).toEqual({
      before: 1,
      result: { pluginId: 'fixture-apikey', ok: true },
      after: 3,
    });
  });

  it('an edit that breaks the manifest is refused and the plugin keeps running as it was', async () => {
    // The previous test's process edited this folder too: a reload of that edit may still be on
    // its way here, and is not this one.
    let broken = await edit('plugin.manifest.json', (text) =>
      text.replace('"type": "apiKey"', '"type": "apikey"'),
    );
    while (broken.ok) broken = await watcher.nextReload();
    expect(broken).toEqual({ pluginId: 'fixture-apikey', ok: false });
    expect(plugin().manifest.name).toBe('Fixture Shop (edited)');
    expect(plugin().manifest.auth.type).toBe('apiKey');
    expect(host.logs()).toContain(
      'plugin edited but refused; it keeps running as it was until the problems are fixed',
    );
  });
});
