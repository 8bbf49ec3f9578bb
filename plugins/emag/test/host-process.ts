import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { type TestHost, freePort } from '@mch/host/testing';
import { emagConfig, eventually, ROOT_REGISTRY } from './support.ts';

const REPO = join(import.meta.dirname, '..', '..', '..');

/**
 * Spawns `host start --role all` as its own process (so a test can SIGKILL it), on the test
 * database and the sandbox. Every process of one spawner gets the same port and PUBLIC_URL, as a
 * real deployment keeps its public address: links a crashed process handed out stay valid.
 */
export function hostSpawner(options: {
  databaseUrl: string;
  api: TestHost;
  sandbox: RunningSandbox;
  env?: Record<string, string>;
}) {
  const children: ChildProcess[] = [];
  let port = 0;
  return {
    async start(): Promise<ChildProcess> {
      if (!port) port = await freePort();
      const child = spawn(
        process.execPath,
        [join(REPO, 'host/src/cli/main.ts'), 'start', '--role', 'all', '--registry', ROOT_REGISTRY],
        {
          cwd: REPO,
          env: {
            PATH: process.env.PATH ?? '',
            DATABASE_URL: options.databaseUrl,
            PORT: String(port),
            PUBLIC_URL: `http://127.0.0.1:${port}`,
            HOST: '127.0.0.1',
            DATA_DIR: await mkdtemp(join(tmpdir(), 'mch-emag-host-')),
            HOST_MASTER_KEY: options.api.app.services.env.masterKey!,
            LOG_LEVEL: 'warn',
            OUTBOUND_STALE_AFTER_MS: '2000',
            ...emagConfig(options.sandbox),
            ...options.env,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      children.push(child);
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await eventually(async () => (/listening on/.test(output) ? true : undefined), 30_000).catch(() => {
        throw new Error(`host process did not start:\n${output}`);
      });
      return child;
    },
    async kill(child: ChildProcess): Promise<void> {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    stopAll(): void {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
