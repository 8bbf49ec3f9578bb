import { readFile, access } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RunningSandbox, SandboxOptions, StartSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { loadPlugins } from './loader.ts';
import { MANIFEST_FILE } from './paths.ts';
import { formatIssues } from './issue-table.ts';

export type SandboxLocation =
  { ok: true; pluginId: string; entryPath: string; warnings: string[] } | { ok: false; message: string };

const DEFAULT_SANDBOX_ENTRY = './sandbox/index.ts';

async function manifestSandboxEntry(dir: string): Promise<string> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as {
      sandbox?: { entry?: unknown };
    };
    return typeof manifest.sandbox?.entry === 'string' ? manifest.sandbox.entry : DEFAULT_SANDBOX_ENTRY;
  } catch {
    return DEFAULT_SANDBOX_ENTRY;
  }
}

/**
 * Finds a plugin's sandbox through the registry. A refused plugin's sandbox is still started
 * (with its issues as warnings): a sandbox emulates the marketplace and does not depend on the
 * plugin's code, and authors need it most while their manifest is still incomplete.
 */
export async function locateSandbox(options: {
  pluginId: string;
  registryPath?: string;
}): Promise<SandboxLocation> {
  const result = await loadPlugins(
    options.registryPath === undefined ? {} : { registryPath: options.registryPath },
  );
  if (result.registryIssues.length > 0) {
    return {
      ok: false,
      message: `the registry ${result.registryPath} is unusable:\n${formatIssues(result.registryIssues).join('\n')}`,
    };
  }
  const loaded = result.plugins.find((plugin) => plugin.id === options.pluginId);
  if (loaded) {
    return {
      ok: true,
      pluginId: loaded.id,
      entryPath: resolve(loaded.dir, loaded.manifest.sandbox.entry),
      warnings: [],
    };
  }
  const refused = result.refused.find(
    (entry) => entry.id === options.pluginId || basename(entry.dir) === options.pluginId,
  );
  if (refused) {
    const entryPath = resolve(refused.dir, await manifestSandboxEntry(refused.dir));
    try {
      await access(entryPath);
    } catch {
      return { ok: false, message: `plugin '${options.pluginId}' has no sandbox at ${entryPath}` };
    }
    return {
      ok: true,
      pluginId: options.pluginId,
      entryPath,
      warnings: [
        `plugin '${options.pluginId}' is refused by the host; starting its sandbox anyway`,
        ...formatIssues(refused.issues),
      ],
    };
  }
  const known = [
    ...result.plugins.map((plugin) => plugin.id),
    ...result.refused.map((entry) => entry.id ?? basename(entry.dir)),
  ];
  return {
    ok: false,
    message: `no plugin '${options.pluginId}' in ${result.registryPath}; known: ${known.join(', ') || '(none)'}`,
  };
}

/** Imports the sandbox module and starts it (contract: sdk sandbox-kit `startSandbox`). */
export async function startSandboxAt(options: {
  entryPath: string;
  sandbox: SandboxOptions;
}): Promise<RunningSandbox> {
  const module = (await import(pathToFileURL(options.entryPath).href)) as { startSandbox?: unknown };
  if (typeof module.startSandbox !== 'function') {
    throw new Error(`${options.entryPath} does not export startSandbox(options)`);
  }
  return (module.startSandbox as StartSandbox)(options.sandbox);
}
