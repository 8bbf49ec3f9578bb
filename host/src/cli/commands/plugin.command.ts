import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { HOST_VERSION } from '../../app/version.ts';
import { dryRun } from '../../plugins/dry-run.ts';
import { loadPlugins } from '../../plugins/loader.ts';
import { validatePluginFolder, writeSettingsTypes } from '../../plugins/folder-validation.ts';
import { formatIssues } from '../../plugins/issue-table.ts';
import { scaffoldPlugin } from '../../plugins/scaffold.ts';
import type { CliCommand } from '../support/command.ts';
import { result as print } from '../support/output.ts';

const USAGE = `usage:
  plugin validate DIR [--host-version V]   check a plugin folder as the host would; exit 1 when invalid
  plugin new ID [--root DIR]               scaffold plugins/ID (passes validate) and add it to the registry
  plugin types DIR                         write DIR/src/settings.generated.ts: the settings' types for hooks
  plugin dry-run DIR [--record FILE | --replay FILE]
                                           run the plugin's jobs once against its sandbox on a throwaway
                                           database and print what they would create (writes nothing);
                                           --record keeps the HTTP exchanges in FILE, --replay answers
                                           from such a file instead of starting the sandbox
  plugin list [--registry FILE]            the registry's plugins: loaded, and refused with their problems`;

async function validate(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'host-version': { type: 'string' } },
  });
  const dir = positionals[0];
  if (!dir || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  const result = await validatePluginFolder({
    dir: resolve(dir),
    hostVersion: values['host-version'] ?? HOST_VERSION,
  });
  for (const line of result.lines) print(line);
  return result.ok ? 0 : 1;
}

async function create(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { root: { type: 'string' } },
  });
  const id = positionals[0];
  if (!id || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  const result = await scaffoldPlugin({
    id,
    ...(values.root === undefined ? {} : { root: resolve(values.root) }),
  });
  if (!result.ok) {
    console.error(result.message);
    return 1;
  }
  print(`created ${result.dir}`);
  for (const file of result.files) print(`  ${file}`);
  print(
    result.referenced
      ? `added plugins/${id} to the registry and to tsconfig.json (npx tsc -b checks it); next: npm run host -- plugin validate ${result.dir}`
      : `added plugins/${id} to the registry; next: npm run host -- plugin validate ${result.dir}`,
  );
  return 0;
}

async function types(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const dir = positionals[0];
  if (!dir || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  const result = await writeSettingsTypes({ dir: resolve(dir), hostVersion: HOST_VERSION });
  if (!result.ok) {
    for (const line of result.lines) print(line);
    return 1;
  }
  print(
    `wrote ${result.file}; type your hooks with definePlugin<Settings>(…) (import type { Settings } from './settings.generated.ts')`,
  );
  return 0;
}

async function dryRunCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { record: { type: 'string' }, replay: { type: 'string' } },
  });
  const dir = positionals[0];
  if (!dir || positionals.length > 1 || (values.record && values.replay)) {
    console.error(USAGE);
    return 2;
  }
  const result = await dryRun({
    dir: resolve(dir),
    hostVersion: HOST_VERSION,
    record: values.record === undefined ? undefined : resolve(values.record),
    replay: values.replay === undefined ? undefined : resolve(values.replay),
  });
  for (const line of result.lines) print(line);
  return result.ok ? 0 : 1;
}

async function list(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { registry: { type: 'string' } } });
  const result = await loadPlugins(
    values.registry === undefined ? {} : { registryPath: resolve(values.registry) },
  );
  if (result.registryIssues.length > 0) {
    print(`registry ${result.registryPath} is unusable:`);
    for (const line of formatIssues(result.registryIssues)) print(`  ${line}`);
    return 1;
  }
  for (const plugin of result.plugins)
    print(`loaded   ${plugin.id}@${plugin.manifest.version}  ${plugin.dir}`);
  for (const refused of result.refused) {
    print(`refused  ${refused.id ?? '?'}  ${refused.dir}`);
    for (const line of formatIssues(refused.issues)) print(`  ${line}`);
  }
  return result.refused.length > 0 ? 1 : 0;
}

const SUBCOMMANDS: Partial<Record<string, (args: string[]) => Promise<number>>> = {
  validate,
  new: create,
  types,
  'dry-run': dryRunCommand,
  list,
};

/** `npm run host -- plugin …` (SPEC "Interfaces": plugin validate DIR, plugin new ID). */
export const command = {
  name: 'plugin',
  summary: "validate a plugin folder, scaffold a new plugin, write its settings' types, list the registry",
  async run(args: string[]): Promise<number> {
    const [sub, ...rest] = args;
    if (sub === '--help' || sub === '-h' || sub === 'help' || rest.includes('--help')) {
      print(USAGE);
      return 0;
    }
    const subcommand = sub !== undefined && Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined;
    if (!subcommand) {
      console.error(USAGE);
      return 2;
    }
    try {
      return await subcommand(rest);
    } catch (error) {
      // parseArgs rejects unknown options with a readable sentence.
      console.error(error instanceof Error ? error.message : String(error));
      console.error(USAGE);
      return 2;
    }
  },
} satisfies CliCommand;
