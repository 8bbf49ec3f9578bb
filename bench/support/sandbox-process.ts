import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { RunningSandbox, SandboxOptions } from '@mch/plugin-sdk/sandbox-kit';

// Runs in the child: starts the sandbox module's `startSandbox` with the options given as JSON,
// prints one ready line, and closes on SIGTERM.
const CHILD = `
const [entry, json] = process.argv.slice(1);
const { startSandbox } = await import(entry);
const sandbox = await startSandbox(JSON.parse(json));
process.on('SIGTERM', () => sandbox.close().then(() => process.exit(0)));
console.log(JSON.stringify({ url: sandbox.url, controlUrl: sandbox.controlUrl, credentials: sandbox.credentials }));
`;

/**
 * A plugin's sandbox in its own process, as a marketplace is in production: its work (building
 * pages, downloading invoices) must not share the host's event loop; both still share the cores.
 * `entry` is the sandbox module (exports `startSandbox`).
 */
export async function sandboxProcess(entry: string, options: SandboxOptions): Promise<RunningSandbox> {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', CHILD, pathToFileURL(entry).href, JSON.stringify(options)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline >= 0) resolve(buffer.slice(0, newline));
    });
    child.once('exit', (code) => reject(new Error(`the sandbox process exited with ${code}`)));
  });
  const ready = JSON.parse(line) as Omit<RunningSandbox, 'close'>;
  return {
    ...ready,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
