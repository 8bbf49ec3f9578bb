import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import type { StartSandbox } from '@mch/plugin-sdk/sandbox-kit';
import type { Manifest } from '@mch/schemas';
import { compileMappings } from '../src/records/mapping-engine.ts';

const HOST = join(import.meta.dirname, '..');
const FIXTURES = join(import.meta.dirname, 'fixtures', 'plugins');
const ARTIFACTS = join(HOST, '..', 'test-artifacts');

/** Runs a command module the way the CLI dispatcher does, in a real Node 24 child process. */
function runCommand(file: string, args: string[]) {
  const url = pathToFileURL(join(HOST, 'src', 'cli', 'commands', file)).href;
  const script = `const { command } = await import(${JSON.stringify(url)}); process.exitCode = await command.run(${JSON.stringify(args)});`;
  return spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function finished(
  child: ReturnType<typeof runCommand>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

describe('plugin validate', () => {
  it('prints every located problem and exits non-zero', async () => {
    const { code, stdout } = await finished(
      runCommand('plugin.command.ts', ['validate', join(FIXTURES, 'fixture-broken')]),
    );
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('invalid: fixture-broken (3 problems)');
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/).slice(0, 2))).toEqual([
      ['/version', 'MANIFEST_VERSION_INVALID'],
      ['/jobs/0/hook', 'MANIFEST_HOOK_MISSING'],
      ['/jobs/1/interval/setting', 'MANIFEST_SETTING_REFERENCE'],
    ]);
    expect(lines[3]).toContain(
      "names 'syncFreq', but settings has no such property; use one of: 'syncFrequencyMinutes'",
    );
  });

  it('says valid with id@version and exits 0', async () => {
    const { code, stdout } = await finished(
      runCommand('plugin.command.ts', ['validate', join(FIXTURES, 'fixture-rich')]),
    );
    expect({ code, stdout }).toEqual({ code: 0, stdout: 'valid: fixture-rich@0.3.0-beta.1\n' });
  });

  it('reports the kit checks: JSONata syntax, secrets where they show, unused hooks, files outside', async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const root = await mkdtemp(join(ARTIFACTS, 'plugin-checks-'));
    try {
      const dir = join(root, 'checked');
      await cp(join(FIXTURES, 'fixture-basic'), dir, { recursive: true });
      const path = join(dir, 'plugin.manifest.json');
      const manifest = JSON.parse(await readFile(path, 'utf8')) as {
        $schema?: string;
        auth: Record<string, unknown>;
        mappings: Record<string, { fields: Record<string, unknown> }>;
        api: unknown;
        sandbox: Record<string, unknown>;
      };
      delete manifest.$schema;
      manifest.auth.accountHook = 'testConnection';
      manifest.mappings.invoice!.fields.currency = '$uppercase(currency';
      manifest.mappings.invoiceLine!.fields.name = "name & ' ' & $settings.password";
      // A secret in a header template goes to the marketplace only: allowed (API-key auth).
      manifest.api = {
        baseUrl: '{FIXTURE_BASE_URL}/{settings.platform}?key={settings.password}',
        headers: { 'X-Api-Key': '{settings.password}' },
      };
      manifest.sandbox.entry = './sandbox/linked.ts';
      await writeFile(path, JSON.stringify(manifest, null, 2));
      await cp(join(dir, 'sandbox', 'index.ts'), join(root, 'elsewhere.ts'));
      await symlink(join(root, 'elsewhere.ts'), join(dir, 'sandbox', 'linked.ts'));
      const entry = join(dir, 'src', 'index.ts');
      const code = await readFile(entry, 'utf8');
      await writeFile(entry, code.replace('  hooks: {\n', '  hooks: {\n    helper: async () => ({}),\n'));

      const { code: exit, stdout } = await finished(runCommand('plugin.command.ts', ['validate', dir]));
      expect(exit).toBe(1);
      const lines = stdout.trim().split('\n');
      expect(lines[0]).toBe('invalid: fixture-basic (6 problems)');
      expect(lines.slice(1).map((line) => line.split(/\s{2,}/))).toEqual([
        [
          '/entry',
          'MANIFEST_HOOK_UNUSED',
          "'./src/index.ts' defines hook 'helper', which the manifest never names, so the host never calls it; name it from a job, webhook, action or auth, or remove it from definePlugin({ hooks })",
        ],
        [
          '/auth/accountHook',
          'MANIFEST_HOOK_UNUSED',
          "names hook 'testConnection', but the host never calls accountHook for auth type 'basic': it identifies a basic account by its username setting (and the settings in api.baseUrl); remove accountHook",
        ],
        [
          '/mappings/invoice/fields/currency',
          'MANIFEST_EXPRESSION_INVALID',
          'is not a valid JSONata expression: Expected ")" before end of expression at character 19 of "$uppercase(currency"; fix the expression (see https://docs.jsonata.org)',
        ],
        [
          '/mappings/invoiceLine/fields/name',
          'MANIFEST_SECRET_LEAK',
          "uses secret setting 'password' (writeOnly) in mapping 'invoiceLine', whose output the API and the console show; a secret may only go to the marketplace in an api.headers template (or be read in a hook with ctx.secrets): remove it here",
        ],
        [
          '/api/baseUrl',
          'MANIFEST_SECRET_LEAK',
          "uses secret setting 'password' (writeOnly) in a URL, which is written to logs and error messages; a secret may only go to the marketplace in an api.headers template (or be read in a hook with ctx.secrets): remove it here",
        ],
        [
          '/sandbox/entry',
          'MANIFEST_ENTRY_INVALID',
          `'./sandbox/linked.ts' is outside the plugin folder ${dir} (after following links); a plugin may only name files inside its own folder`,
        ],
      ]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("plugin types writes the settings' types; validate says when they no longer match the settings", async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const root = await mkdtemp(join(ARTIFACTS, 'plugin-types-'));
    try {
      const dir = join(root, 'fixture-basic');
      await cp(join(FIXTURES, 'fixture-basic'), dir, { recursive: true });
      const written = await finished(runCommand('plugin.command.ts', ['types', dir]));
      expect(written.code, written.stderr).toBe(0);
      const file = join(dir, 'src', 'settings.generated.ts');
      expect(written.stdout).toBe(
        `wrote ${file}; type your hooks with definePlugin<Settings>(…) (import type { Settings } from './settings.generated.ts')\n`,
      );
      const types = await readFile(file, 'utf8');
      expect(types).toContain("  platform: 'ro' | 'bg' | 'hu';\n");
      expect(types).toContain("export type SecretSetting = 'password';\n");
      expect(await finished(runCommand('plugin.command.ts', ['validate', dir]))).toMatchObject({ code: 0 });

      const manifestFile = join(dir, 'plugin.manifest.json');
      const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as {
        settings: { properties: Record<string, unknown> };
      };
      manifest.settings.properties.shopName = { type: 'string', title: 'Shop name' };
      await writeFile(manifestFile, JSON.stringify(manifest, null, 2));
      const stale = await finished(runCommand('plugin.command.ts', ['validate', dir]));
      expect(stale.code).toBe(1);
      expect(
        stale.stdout
          .trim()
          .split('\n')
          .map((line) => line.split(/\s{2,}/)),
      ).toEqual([
        ['invalid: fixture-basic (1 problem)'],
        [
          '/settings',
          'MANIFEST_TYPES_STALE',
          `src/settings.generated.ts no longer matches the settings; run: npm run host -- plugin types ${dir}`,
        ],
      ]);
      await finished(runCommand('plugin.command.ts', ['types', dir]));
      expect(await readFile(file, 'utf8')).toContain('  shopName?: string;\n');
      expect(await finished(runCommand('plugin.command.ts', ['validate', dir]))).toMatchObject({ code: 0 });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('refuses a folder without a manifest', async () => {
    const { code, stdout } = await finished(
      runCommand('plugin.command.ts', ['validate', join(FIXTURES, 'fixture-missing')]),
    );
    expect(code).toBe(1);
    expect(stdout).toContain('MANIFEST_NOT_FOUND');
  });
});

/** The CLI as a person runs it (`npm run host -- …`): main.ts, which exits when the command returns. */
function runCli(args: string[]) {
  return spawn(process.execPath, [join(HOST, 'src', 'cli', 'main.ts'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('plugin dry-run', () => {
  const dryRuns = async () => (await readdir(tmpdir())).filter((name) => name.startsWith('mch-dry-run-'));

  it("runs the plugin's jobs once against its sandbox on a throwaway database and prints what they created", async () => {
    const before = await dryRuns();
    const { code, stdout, stderr } = await finished(
      runCli(['plugin', 'dry-run', join(FIXTURES, 'fixture-apikey')]),
    );
    expect(code, stderr).toBe(0);
    expect(stdout.trim().split('\n')).toEqual([
      'dry run of fixture-apikey against its sandbox (a throwaway database, deleted now):',
      '  job sync-orders: succeeded (orders 4, created 4)',
      '  4 invoices would be issued:',
      '    FV/2026/1  PLN 12.30  1 line(s)  no buyer name  (order order-1-1)',
      '    FV/2026/2  PLN 24.60  1 line(s)  no buyer name  (order order-1-2)',
      '    FV/2026/3  PLN 12.30  1 line(s)  no buyer name  (order order-2-1)',
      '    FV/2026/4  PLN 24.60  1 line(s)  no buyer name  (order order-2-2)',
    ]);
    // Nothing is left behind: the temporary database folder is gone.
    expect(await dryRuns()).toEqual(before);
  });

  it('dry-runs a plugin with no code (WooCommerce), records its HTTP, and replays the recording without the sandbox', async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const work = await mkdtemp(join(ARTIFACTS, 'dry-record-'));
    onTestFinished(() => rm(work, { recursive: true, force: true }));
    const recordingFile = join(work, 'woocommerce.recording.json');
    const plugin = join(HOST, '..', 'plugins', 'woocommerce');
    const recorded = await finished(runCli(['plugin', 'dry-run', plugin, '--record', recordingFile]));
    expect(recorded.code, recorded.stderr).toBe(0);
    const lines = recorded.stdout.trim().split('\n');
    expect(lines[0]).toBe('dry run of woocommerce against its sandbox (a throwaway database, deleted now):');
    expect(lines.filter((l) => l.startsWith('  job '))).toEqual([
      expect.stringMatching(/^ {2}job sync-orders: succeeded \(pages 1, created \d+/),
      expect.stringMatching(/^ {2}job sync-refunds: succeeded \(pages 1, /),
    ]);
    expect(recorded.stdout).toMatch(/^ {2}\d+ invoices and [1-9]\d* corrections? would be issued:$/m);
    expect(recorded.stdout).toMatch(/^ {4}FK\/2026\/1 {2}PLN -\d+\.\d\d/m);
    expect(lines.at(-1)).toBe(
      `  recorded 3 exchange(s) in ${recordingFile}: replay them with --replay ${recordingFile}`,
    );
    const recording = JSON.parse(await readFile(recordingFile, 'utf8')) as {
      credentials: Record<string, string>;
      exchanges: {
        request: { path: string; query?: Record<string, string> };
        response: { headers: Record<string, string> };
      }[];
    };
    // The sandbox's address is a placeholder; no request header (where sign-ins travel) is kept.
    expect(recording.credentials.storeUrl).toBe('{url}');
    // The connection test (one order), then the two jobs' reads, in the order they ran.
    expect(recording.exchanges.map((e) => `${e.request.path} ${e.request.query?.per_page}`).sort()).toEqual([
      '/wp-json/wc/v3/orders 1',
      '/wp-json/wc/v3/orders 100',
      '/wp-json/wc/v3/refunds 100',
    ]);
    expect(JSON.stringify(recording)).not.toMatch(/127\.0\.0\.1|authorization/i);

    // Replayed: no sandbox, the same documents.
    const replayed = await finished(runCli(['plugin', 'dry-run', plugin, '--replay', recordingFile]));
    expect(replayed.code, replayed.stderr).toBe(0);
    // The same documents; their numbers follow which of the two jobs ran first, so they are left out.
    const documents = (out: string) =>
      out
        .split('\n')
        .filter((l) => l.startsWith('    F'))
        .map((l) => l.replace(/^ {4}\S+/, ''))
        .sort();
    expect(replayed.stdout.split('\n')[0]).toBe(
      `dry run of woocommerce against the recording ${recordingFile} (a throwaway database, deleted now):`,
    );
    expect(documents(replayed.stdout)).toEqual(documents(recorded.stdout));

    // A recording without the refunds' answer: the request is named, the job fails, nothing else.
    await writeFile(
      recordingFile,
      JSON.stringify({
        ...recording,
        exchanges: recording.exchanges.filter((e) => e.request.path !== '/wp-json/wc/v3/refunds'),
      }),
    );
    const partial = await finished(runCli(['plugin', 'dry-run', plugin, '--replay', recordingFile]));
    expect(partial.code).toBe(1);
    expect(partial.stdout).toContain('  job sync-refunds: failed');
    expect(partial.stdout).toContain('  1 request(s) had no recorded answer (the plugin got a 404):');
    expect(partial.stdout).toContain(
      '    GET /wp-json/wc/v3/refunds?dates_are_gmt=true&order=desc&orderby=date&page=1&per_page=100',
    );
    const missing = await finished(
      runCli(['plugin', 'dry-run', plugin, '--replay', join(work, 'nope.json')]),
    );
    expect([missing.code, missing.stdout.trim()]).toEqual([
      1,
      `No recording at ${join(work, 'nope.json')}; make one with plugin dry-run DIR --record FILE.`,
    ]);
  }, 180_000); // four CLI runs, each starting a throwaway host on an embedded database

  it('refuses a plugin that does not validate, with the problems, before starting anything', async () => {
    const { code, stdout } = await finished(runCli(['plugin', 'dry-run', join(FIXTURES, 'fixture-broken')]));
    expect(code).toBe(1);
    expect(stdout.split('\n')[0]).toBe('invalid: fixture-broken (3 problems)');
  });
});

describe('plugin new', () => {
  const roots: string[] = [];
  afterAll(async () => Promise.all(roots.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('scaffolds a plugin that validates, registers it, and whose sandbox and hook really work', async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const root = await mkdtemp(join(ARTIFACTS, 'plugin-new-'));
    roots.push(root);
    await writeFile(
      join(root, 'tsconfig.json'),
      JSON.stringify({ files: [], references: [{ path: './sdk' }] }),
    );
    const created = await finished(runCommand('plugin.command.ts', ['new', 'acme-market', '--root', root]));
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('added plugins/acme-market to the registry and to tsconfig.json');
    const dir = join(root, 'plugins', 'acme-market');
    const rootTsconfig = JSON.parse(await readFile(join(root, 'tsconfig.json'), 'utf8')) as unknown;
    expect(rootTsconfig).toEqual({
      files: [],
      references: [{ path: './sdk' }, { path: './plugins/acme-market' }],
    });

    const validated = await finished(runCommand('plugin.command.ts', ['validate', dir]));
    expect(validated).toMatchObject({ code: 0, stdout: 'valid: acme-market@0.1.0\n' });
    const registry = JSON.parse(await readFile(join(root, 'plugin.manifest.json'), 'utf8')) as {
      plugins: string[];
    };
    expect(registry.plugins).toEqual(['plugins/acme-market']);
    const manifest = JSON.parse(await readFile(join(dir, 'plugin.manifest.json'), 'utf8')) as Pick<
      Manifest,
      '$schema' | 'mappings' | 'settings' | 'auth'
    > & { $schema: string };
    // Neutral defaults: no country's VAT rate is assumed; each line's own rate is used.
    expect(manifest.settings.properties.defaultVatRate).not.toHaveProperty('default');
    expect(manifest.mappings.invoiceLine?.fields.vatRate).toBe(
      '$exists(vatRate) ? vatRate : $settings.defaultVatRate',
    );
    await expect(readFile(join(dir, manifest.$schema), 'utf8')).resolves.toContain(
      '"title": "Plugin manifest"',
    );

    const again = await finished(runCommand('plugin.command.ts', ['new', 'acme-market', '--root', root]));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');

    const { startSandbox } = (await import(pathToFileURL(join(dir, 'sandbox', 'index.ts')).href)) as {
      startSandbox: StartSandbox;
    };
    const plugin = (
      (await import(pathToFileURL(join(dir, 'src', 'index.ts')).href)) as {
        default: { hooks: Record<string, (ctx: unknown, input: unknown) => Promise<unknown>> };
      }
    ).default;
    const sandbox = await startSandbox({ orders: 2 });
    try {
      const auth =
        'Basic ' +
        Buffer.from(`${sandbox.credentials.username}:${sandbox.credentials.password}`).toString('base64');
      const store = new Map<string, unknown>();
      const ctx = {
        store: {
          get: async (k: string) => store.get(k),
          set: async (k: string, v: unknown) => void store.set(k, v),
        },
        http: {
          request: async ({ path, query }: { path: string; query?: Record<string, string> }) => {
            const response = await fetch(`${sandbox.url}${path}?${new URLSearchParams(query).toString()}`, {
              headers: { authorization: auth },
            });
            const body = await response.text();
            return { status: response.status, headers: {}, body, json: () => JSON.parse(body) as unknown };
          },
        },
        records: { upsert: async () => ({ status: 'created', hostId: 'x' }) },
        progress: () => undefined,
      };
      await expect(plugin.hooks.syncOrders!(ctx, {})).resolves.toEqual({
        counts: { orders: 2, invoices: 2 },
      });
      await expect(plugin.hooks.testConnection!(ctx, {})).resolves.toEqual({ ok: true });
      expect((await fetch(`${sandbox.url}/orders`)).status).toBe(401);

      // The scaffold's mappings, run by the host's own mapping engine on the sandbox's orders.
      const { orders } = (await (await ctx.http.request({ path: '/orders' })).json()) as {
        orders: { lines: Record<string, unknown>[] }[];
      };
      const mappings = compileMappings(manifest.mappings);
      await expect(mappings.map('invoice', orders[0], { settings: {}, integration: {} })).resolves.toEqual({
        externalId: 'order-1',
        currency: 'PLN',
        issueDate: '2026-01-01T00:00:00.000Z',
        lines: [{ name: 'Item', quantity: 1, unitPrice: 10, vatRate: 23 }],
        customer: { externalId: 'buyer-1', name: 'Buyer 1', email: 'buyer1@example.test' },
      });
      delete orders[1]!.lines[0]!.vatRate;
      const unrated = await mappings.map('invoice', orders[1], {
        settings: { defaultVatRate: 9 },
        integration: {},
      });
      expect(unrated.lines).toEqual([{ name: 'Item', quantity: 1, unitPrice: 11, vatRate: 9 }]);
    } finally {
      await sandbox.close();
    }
  });

  it('scaffolds a plugin whose dry run invoices its sandbox orders under the demo company', async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const root = await mkdtemp(join(ARTIFACTS, 'plugin-dry-'));
    roots.push(root);
    await writeFile(join(root, 'tsconfig.json'), JSON.stringify({ files: [], references: [] }));
    expect((await finished(runCommand('plugin.command.ts', ['new', 'acme-dry', '--root', root]))).code).toBe(
      0,
    );
    const dry = await finished(runCli(['plugin', 'dry-run', join(root, 'plugins', 'acme-dry')]));
    expect(dry.code, dry.stderr).toBe(0);
    const lines = dry.stdout.trim().split('\n');
    expect(lines.slice(1, 4)).toEqual([
      '  job sync-orders: succeeded (orders 5, created 5, invoices 5)',
      '  5 invoices would be issued:',
      '    FV/2026/1  PLN 10.00  1 line(s)  Buyer 1  (order order-1)',
    ]);
    expect(dry.stdout).not.toContain('would be held');
  });

  it("scaffolds a test that runs the plugin in a real host with the SDK's testing kit and checks real invoices", async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const root = await mkdtemp(join(ARTIFACTS, 'plugin-kit-'));
    roots.push(root);
    // A repository's root, as the scaffold expects it: its tsconfig and the shared base options.
    await writeFile(join(root, 'tsconfig.json'), JSON.stringify({ files: [], references: [] }));
    await cp(join(HOST, '..', 'tsconfig.base.json'), join(root, 'tsconfig.base.json'));
    expect((await finished(runCommand('plugin.command.ts', ['new', 'acme-kit', '--root', root]))).code).toBe(
      0,
    );
    const dir = join(root, 'plugins', 'acme-kit');
    // The scaffold's own test, run as its author runs it: vitest in the plugin's folder.
    const vitest = join(HOST, '..', 'node_modules', 'vitest', 'vitest.mjs');
    const vitestIn = (...args: string[]) =>
      finished(
        spawn(process.execPath, [vitest, 'run', '--root', dir, ...args], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: {
            ...process.env,
            DATABASE_URL: '',
            NBP_API_URL: '',
            BNR_RATES_URL: '',
            NO_COLOR: '1',
            FORCE_COLOR: '0',
          },
        }),
      );
    const run = await vitestIn('--reporter', 'verbose');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(
      'turns each sandbox order into one invoice, and a second run into nothing new',
    );
    expect(run.stdout).toMatch(/Tests\s+1 passed/);
    // Broken on purpose, the same test fails: it checks the invoices, not only that it ran.
    const manifestPath = join(dir, 'plugin.manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest;
    manifest.mappings.invoiceLine!.fields.vatRate = '8';
    await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
    const broken = await vitestIn();
    expect(broken.code).toBe(1);
    expect(broken.stdout + broken.stderr).toContain('9.26');
  });

  it('scaffolds a tsconfig whose build writes nothing outside the plugin folder', async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const root = await mkdtemp(join(ARTIFACTS, 'plugin-tsc-'));
    roots.push(root);
    const created = await finished(runCommand('plugin.command.ts', ['new', 'tsc-shop', '--root', root]));
    expect(created.code, created.stderr).toBe(0);
    const dir = join(root, 'plugins', 'tsc-shop');
    // A file that reaches outside the folder: TypeScript would write its .d.ts beside the source.
    await writeFile(
      join(dir, 'test', 'reach.ts'),
      `export { MANIFEST_FILE } from '${relative(join(dir, 'test'), join(HOST, 'src', 'plugins', 'paths.ts'))}';\n`,
    );
    const tsc = join(HOST, '..', 'node_modules', 'typescript', 'bin', 'tsc');
    const build = await finished(
      spawn(process.execPath, [tsc, '-b', dir, '--listEmittedFiles'], { stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    expect(build.code).not.toBe(0);
    expect(build.stdout).toContain("is not under 'rootDir'");
    const emitted = build.stdout
      .split('\n')
      .filter((line) => line.startsWith('TSFILE: '))
      .map((line) => line.slice('TSFILE: '.length));
    // The referenced projects (schemas, sdk) may rebuild into their own output folders.
    const builds = join(HOST, '..', 'node_modules', '.tsbuild');
    const references = /^(schemas|sdk)(\/|\.tsbuildinfo$)/;
    expect(
      emitted.filter((file) => !file.startsWith(dir + '/') && !references.test(relative(builds, file))),
    ).toEqual([]);
    expect((await readdir(join(HOST, 'src', 'plugins'))).filter((file) => file.endsWith('.d.ts'))).toEqual(
      [],
    );

    await rm(join(dir, 'test', 'reach.ts'));
    const clean = await finished(
      spawn(process.execPath, [tsc, '-b', dir, '--listEmittedFiles'], { stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    expect(clean.code, clean.stdout).toBe(0);
    const files = clean.stdout
      .split('\n')
      .filter((line) => line.startsWith('TSFILE: ' + dir))
      .map((line) => relative(dir, line.slice('TSFILE: '.length)));
    expect(files.sort()).toEqual([
      'node_modules/.tsbuild/sandbox/index.d.ts',
      'node_modules/.tsbuild/src/index.d.ts',
      'node_modules/.tsbuild/src/settings.generated.d.ts',
      'node_modules/.tsbuild/test/plugin.test.d.ts',
      'node_modules/.tsbuild/tsconfig.tsbuildinfo',
    ]);
  });

  it('refuses an id that is not kebab-case', async () => {
    const { code, stderr } = await finished(
      runCommand('plugin.command.ts', ['new', 'Bad_Id', '--root', ARTIFACTS]),
    );
    expect(code).toBe(1);
    expect(stderr).toContain("'Bad_Id' is not a plugin id");
  });
});

describe('sandbox command', () => {
  it('prints exactly one ready line, serves, and closes on SIGTERM', async () => {
    const child = runCommand('sandbox.command.ts', [
      'fixture-basic',
      '--orders',
      '2',
      '--registry',
      join(FIXTURES, 'plugin.manifest.json'),
    ]);
    const done = finished(child);
    const line = await new Promise<string>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        if (buffer.includes('\n')) resolve(buffer.split('\n')[0]!);
      });
      child.on('close', (code) => reject(new Error(`sandbox exited early with ${code}`)));
    });
    const ready = JSON.parse(line) as { plugin: string; url: string; credentials: Record<string, string> };
    expect(Object.keys(ready)).toEqual(['plugin', 'url', 'credentials']);
    expect(ready.plugin).toBe('fixture-basic');
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.credentials).toEqual({ username: 'fixture', password: 'fixture-secret' });
    const orders = (await (await fetch(`${ready.url}/ro/order/read`)).json()) as unknown[];
    expect(orders).toHaveLength(2);
    child.kill('SIGTERM');
    const { code, stdout } = await done;
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
  });

  it('says which plugins exist when the id is unknown', async () => {
    const { code, stderr } = await finished(
      runCommand('sandbox.command.ts', ['nope', '--registry', join(FIXTURES, 'plugin.manifest.json')]),
    );
    expect(code).toBe(1);
    expect(stderr).toContain("no plugin 'nope'");
    expect(stderr).toContain('fixture-basic');
  });
});
