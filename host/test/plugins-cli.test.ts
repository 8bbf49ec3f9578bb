import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { StartSandbox } from '@mch/plugin-sdk/sandbox-kit';

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

  it('refuses a folder without a manifest', async () => {
    const { code, stdout } = await finished(
      runCommand('plugin.command.ts', ['validate', join(FIXTURES, 'fixture-missing')]),
    );
    expect(code).toBe(1);
    expect(stdout).toContain('MANIFEST_NOT_FOUND');
  });
});

describe('plugin new', () => {
  const roots: string[] = [];
  afterAll(async () => Promise.all(roots.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('scaffolds a plugin that validates, registers it, and whose sandbox and hook really work', async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const root = await mkdtemp(join(ARTIFACTS, 'plugin-new-'));
    roots.push(root);
    const created = await finished(runCommand('plugin.command.ts', ['new', 'acme-market', '--root', root]));
    expect(created.code, created.stderr).toBe(0);
    const dir = join(root, 'plugins', 'acme-market');

    const validated = await finished(runCommand('plugin.command.ts', ['validate', dir]));
    expect(validated).toMatchObject({ code: 0, stdout: 'valid: acme-market@0.1.0\n' });
    const registry = JSON.parse(await readFile(join(root, 'plugin.manifest.json'), 'utf8')) as {
      plugins: string[];
    };
    expect(registry.plugins).toEqual(['plugins/acme-market']);
    const manifest = JSON.parse(await readFile(join(dir, 'plugin.manifest.json'), 'utf8')) as {
      $schema: string;
    };
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
    } finally {
      await sandbox.close();
    }
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
