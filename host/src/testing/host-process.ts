import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const CLI = join(import.meta.dirname, '..', 'cli', 'main.ts');

/** `host start` as a real process (the way users run it), with its output kept for failures. */
export interface HostProcess {
  child: ChildProcess;
  port: number | undefined;
  url: string | undefined;
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  readyz(): Promise<{ status: number; body: unknown } | undefined>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startHostProcess(options: {
  args: string[];
  env: Record<string, string>;
  port?: number;
  cwd?: string;
}): HostProcess {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOST: '127.0.0.1',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'mch-host-process-')),
    LOG_LEVEL: 'info',
    ...(options.port === undefined ? {} : { PORT: String(options.port) }),
    ...options.env,
  };
  const child = spawn(process.execPath, [CLI, 'start', ...options.args], {
    cwd: options.cwd ?? join(import.meta.dirname, '..', '..', '..'),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = options.port === undefined ? undefined : `http://127.0.0.1:${options.port}`;
  return {
    child,
    port: options.port,
    url,
    output: () => output,
    exited,
    async readyz() {
      if (!url) return undefined;
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) }).catch(
        () => undefined,
      );
      if (!response) return undefined;
      return { status: response.status, body: await response.json() };
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
