import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { SandboxOptions } from '@mch/plugin-sdk/sandbox-kit';
import { locateSandbox, startSandboxAt } from '../../plugins/sandbox-runner.ts';
import type { CliCommand } from '../support/command.ts';
import { result as print } from '../support/output.ts';

const USAGE =
  'usage: sandbox <pluginId> [--port N] [--orders N] [--seed S] [--redirect-uri U] [--registry FILE]';

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} must be a whole number, got '${value}'`);
  return Number(value);
}

/** Resolves on SIGINT/SIGTERM, then stops listening for them. */
function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * `npm run sandbox -- <pluginId>` (SPEC "Interfaces"): starts the plugin's sandbox, prints exactly
 * one JSON line {"plugin","url","credentials"} on stdout when ready (anything else goes to
 * stderr, so scripts can read the line), and serves until SIGINT/SIGTERM.
 */
export const command = {
  name: 'sandbox',
  summary: "run a plugin's marketplace sandbox alone and print its ready line",
  async run(args: string[]): Promise<number> {
    if (args.includes('--help') || args.includes('-h')) {
      print(USAGE);
      return 0;
    }
    let pluginId: string | undefined;
    let registryPath: string | undefined;
    const options: SandboxOptions = {};
    try {
      const { positionals, values } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          port: { type: 'string' },
          orders: { type: 'string' },
          seed: { type: 'string' },
          'redirect-uri': { type: 'string' },
          registry: { type: 'string' },
        },
      });
      pluginId = positionals[0];
      if (!pluginId || positionals.length > 1) throw new Error('name exactly one plugin id');
      const port = integer('port', values.port);
      const orders = integer('orders', values.orders);
      if (port !== undefined) options.port = port;
      if (orders !== undefined) options.orders = orders;
      if (values.seed !== undefined)
        options.seed = /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed;
      if (values['redirect-uri'] !== undefined) options.redirectUri = values['redirect-uri'];
      if (values.registry !== undefined) registryPath = resolve(values.registry);
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error));
      console.error(USAGE);
      return 2;
    }

    const location = await locateSandbox({
      pluginId,
      ...(registryPath === undefined ? {} : { registryPath }),
    });
    if (!location.ok) {
      console.error(location.message);
      return 1;
    }
    for (const warning of location.warnings) console.error(warning);
    const stopped = untilStopped();
    let sandbox;
    try {
      sandbox = await startSandboxAt({ entryPath: location.entryPath, sandbox: options });
    } catch (error) {
      console.error(
        `the ${pluginId} sandbox failed to start: ${error instanceof Error ? error.message : String(error)}`,
      );
      return 1;
    }
    print(JSON.stringify({ plugin: location.pluginId, url: sandbox.url, credentials: sandbox.credentials }));
    const signal = await stopped;
    console.error(`${signal}: closing the ${pluginId} sandbox`);
    await sandbox.close();
    return 0;
  },
} satisfies CliCommand;
