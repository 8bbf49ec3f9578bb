import { watch, type FSWatcher } from 'node:fs';
import { registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../logging/logger.ts';
import { loadPluginDir } from './load-plugin.ts';
import type { HostPlugins, LoadedPlugin } from './types.ts';

/** Changes closer together than this are one edit (an editor writes a file in several steps). */
const SETTLE_MS = 150;

/** The module generation of each watched plugin folder (by its file URL, with a trailing slash). */
const generations = new Map<string, number>();
let hooked = false;

/**
 * Every module a plugin folder holds is loaded anew after an edit, not only its entry: imports
 * resolved inside a watched folder carry the folder's generation (`?hot=3`), so Node's module
 * cache holds one copy per generation. Old copies stay in memory until the process ends — a
 * development tool, never on in production.
 */
function hookImports(): void {
  if (hooked) return;
  hooked = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      const url = resolved.url.split('?')[0]!;
      for (const [folder, generation] of generations)
        if (generation > 0 && url.startsWith(folder)) return { ...resolved, url: `${url}?hot=${generation}` };
      return resolved;
    },
  });
}

export interface PluginWatcher {
  /** Resolves after the next reload attempt of a plugin (tests wait on it). */
  nextReload(): Promise<{ pluginId: string; ok: boolean }>;
  close(): void;
}

/**
 * Development: editing a plugin's manifest or code reloads that plugin in the running host — its
 * manifest checked again, its modules imported anew — with no restart. A manifest that no longer
 * validates is refused with its problems in the log and the plugin keeps running as it was.
 * Runs after the reload use the new hooks, mappings and settings schema.
 */
export function watchPlugins(options: {
  plugins: HostPlugins;
  hostVersion: string;
  logger: Logger;
  /** Called with the new plugin after a successful reload (e.g. to reschedule its jobs). */
  onReload?: (plugin: LoadedPlugin) => Promise<void> | void;
}): PluginWatcher {
  hookImports();
  const watchers: FSWatcher[] = [];
  let waiting: ((result: { pluginId: string; ok: boolean }) => void)[] = [];
  for (const current of options.plugins.plugins) {
    const folder = pathToFileURL(current.dir).href.replace(/\/?$/, '/');
    generations.set(folder, generations.get(folder) ?? 0);
    let timer: NodeJS.Timeout | undefined;
    const reload = async () => {
      generations.set(folder, (generations.get(folder) ?? 0) + 1);
      const result = await loadPluginDir({ dir: current.dir, hostVersion: options.hostVersion });
      if (!result.ok) {
        options.logger.warn(
          { pluginId: current.id, issues: result.refused.issues },
          'plugin edited but refused; it keeps running as it was until the problems are fixed',
        );
      } else if (result.plugin.id !== current.id) {
        options.logger.warn(
          { pluginId: current.id, newId: result.plugin.id },
          'plugin edited but its id changed; restart the host to load it under the new id',
        );
      } else {
        options.plugins.replace?.(result.plugin);
        await options.onReload?.(result.plugin);
        options.logger.info(
          { pluginId: current.id, version: result.plugin.manifest.version },
          'plugin reloaded',
        );
      }
      const ok = result.ok && result.plugin.id === current.id;
      const done = waiting;
      waiting = [];
      for (const resolve of done) resolve({ pluginId: current.id, ok });
    };
    const watcher = watch(current.dir, { recursive: true }, (_event, name) => {
      // Dependencies and build output are not the plugin's sources.
      if (name && /(^|[/\\])(node_modules|\.tsbuild|test)([/\\]|$)/.test(name)) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        reload().catch((error: unknown) =>
          options.logger.error({ err: error, pluginId: current.id }, 'plugin reload failed'),
        );
      }, SETTLE_MS);
    });
    watchers.push(watcher);
  }
  return {
    nextReload: () => new Promise((resolve) => waiting.push(resolve)),
    close: () => {
      for (const watcher of watchers) watcher.close();
    },
  };
}
