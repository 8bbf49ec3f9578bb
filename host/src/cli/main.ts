import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CliCommand } from './support/command.ts';
import { describeError, isUsageError } from './support/errors.ts';

/**
 * `node host/src/cli/main.ts <command> …` (`npm run host -- …`). Commands are discovered, not
 * listed: every `commands/*.command.ts` exports `command`, so adding one never touches this file.
 */
const COMMANDS_DIR = fileURLToPath(new URL('./commands/', import.meta.url));
const SUFFIX = '.command.ts';

interface Loaded {
  commands: Map<string, CliCommand>;
  /** Modules that failed to load, by file stem (`plugin` for plugin.command.ts). */
  broken: Map<string, { file: string; error: unknown }>;
}

function isCommand(value: unknown): value is CliCommand {
  const c = value as Partial<CliCommand> | null;
  return typeof c?.name === 'string' && typeof c.summary === 'string' && typeof c.run === 'function';
}

async function loadCommands(): Promise<Loaded> {
  const files = readdirSync(COMMANDS_DIR)
    .filter((f) => f.endsWith(SUFFIX))
    .sort();
  const commands = new Map<string, CliCommand>();
  const origin = new Map<string, string>();
  const broken = new Map<string, { file: string; error: unknown }>();
  await Promise.all(
    files.map(async (file) => {
      const stem = basename(file, SUFFIX);
      try {
        const mod = (await import(pathToFileURL(`${COMMANDS_DIR}${file}`).href)) as { command?: unknown };
        if (!isCommand(mod.command)) throw new Error('it does not export `command = { name, summary, run }`');
        const name = mod.command.name;
        // Like tRPC routers: two commands claiming one name is a mistake to surface, not to resolve.
        if (origin.has(name))
          throw new Error(`the command name "${name}" is already taken by ${origin.get(name)}`);
        origin.set(name, file);
        commands.set(name, mod.command);
      } catch (error) {
        broken.set(stem, { file, error });
      }
    }),
  );
  return { commands, broken };
}

function help({ commands, broken }: Loaded): string {
  const names = [...commands.keys()].sort();
  const width = Math.max(8, ...names.map((n) => n.length));
  const lines = ['usage: npm run host -- <command> [options]', '', 'commands:'];
  for (const name of names) lines.push(`  ${name.padEnd(width)}  ${commands.get(name)!.summary}`);
  lines.push(`  ${'help'.padEnd(width)}  this list`);
  for (const [stem, { file }] of broken)
    lines.push(`  ${stem.padEnd(width)}  (unavailable: ${file} failed to load)`);
  lines.push('', 'Run `npm run host -- <command> --help` for its options.');
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const loaded = await loadCommands();
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${help(loaded)}\n`);
    return 0;
  }
  const command = loaded.commands.get(name);
  if (!command) {
    const failure = loaded.broken.get(name);
    if (failure) {
      process.stderr.write(
        `error: the command "${name}" could not be loaded from ${failure.file}: ${describeError(failure.error)}\n`,
      );
      return 1;
    }
    process.stderr.write(`error: unknown command "${name}". Run \`npm run host -- help\` for the list.\n`);
    return 2;
  }
  try {
    return await command.run(args);
  } catch (error) {
    process.stderr.write(`error: ${describeError(error)}\n`);
    if (isUsageError(error)) {
      process.stderr.write(`Run \`npm run host -- ${name} --help\` for its options.\n`);
      return 2;
    }
    if (process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace') {
      process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    }
    return 1;
  }
}

// Exit explicitly: a pool or timer left open by a command must not keep a finished CLI alive.
// stdout/stderr to pipes and files are synchronous on POSIX, so nothing printed is lost.
process.exit(await main(process.argv.slice(2)));
