import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/testing/free-port.ts';

const CLI = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');

/** The embedded defaults: no DATABASE_URL, no master key, DATA_DIR left to its `./data` default. */
function embeddedEnv(port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.HOST_MASTER_KEY;
  delete env.DATA_DIR;
  return env;
}

/** `npm start` is `host start --role all`: run it in a fresh folder until `/readyz` says ready. */
async function startHost(cwd: string, port: number) {
  const child = spawn(process.execPath, [CLI, 'start', '--role', 'all', '--demo', 'off'], {
    cwd,
    env: embeddedEnv(port),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  for (let i = 0; i < 600; i++) {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    if (response?.status === 200) return { child, ready: (await response.json()) as { status: string } };
    if (child.exitCode !== null) throw new Error(`host exited early:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`host never became ready:\n${output}`);
}

async function stopHost(child: ReturnType<typeof spawn>) {
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  expect(code).toBe(0);
}

const cli = (cwd: string, port: number, ...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { cwd, env: embeddedEnv(port), encoding: 'utf8' });

describe('npm start on the embedded defaults', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers /readyz, keeps its data in ./data, and a restart keeps it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mch-start-'));
    const port = await freePort();

    const first = await startHost(dir, port);
    expect(first.ready.status).toBe('ready');
    expect((await stat(join(dir, 'data', 'pgdata'))).isDirectory()).toBe(true);
    expect((await stat(join(dir, 'data', 'master.key'))).mode & 0o077).toBe(0);
    // The embedded database belongs to the running host: the CLI refuses instead of corrupting it.
    const refused = cli(dir, port, 'tenant', 'create', '--name', 'Too Early');
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/host is running/i);
    await stopHost(first.child);

    const created = cli(dir, port, 'tenant', 'create', '--name', 'Persisted Co');
    expect(created.status, created.stderr).toBe(0);
    const tenantId = created.stdout.trim();

    const second = await startHost(dir, port);
    expect(second.ready.status).toBe('ready');
    await stopHost(second.child);

    const listed = cli(dir, port, 'tenant', 'list');
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(tenantId);
  }, 240_000);
});
