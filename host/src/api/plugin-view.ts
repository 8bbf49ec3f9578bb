import { dirname, relative } from 'node:path';
import type { HostPlugins } from '../app/services.ts';
import type { LoadedPlugin } from '../plugins/types.ts';

/** What the console needs to offer a connector and render its settings form. */
export function pluginView(plugin: LoadedPlugin) {
  const { manifest } = plugin;
  return {
    id: manifest.id,
    name: manifest.name,
    version: manifest.version,
    description: manifest.description ?? null,
    auth: { type: manifest.auth.type },
    /** JSON Schema 2020-12; secrets stay in it as `writeOnly` fields (their values never leave). */
    settingsSchema: manifest.settings as Record<string, unknown>,
    settingsVersion: manifest.settingsVersion,
    flows: manifest.flows.map((f) => ({
      id: f.id,
      title: f.title,
      description: f.description,
      direction: f.direction,
      setting: f.setting ?? null,
    })),
    jobs: manifest.jobs.map((j) => ({ id: j.id, title: j.title })),
    /**
     * A plugin of the company's issued documents (clearance): connected per company, not per
     * marketplace account; null for marketplace plugins.
     */
    documents: manifest.documents
      ? {
          scope: manifest.documents.scope,
          authority: manifest.documents.authority,
          title: manifest.documents.title,
          consumes: manifest.documents.consumes,
          deliveryAfterClearance: manifest.documents.deliveryAfterClearance,
        }
      : null,
    /** Actions a person starts; `subject` says where the console offers them (returns, orders). */
    actions: manifest.actions.map((a) => ({
      id: a.id,
      title: a.title,
      description: a.description ?? null,
      flow: a.flow ?? null,
      input: a.input,
      subject: a.subject ?? null,
    })),
  };
}
export type PluginView = ReturnType<typeof pluginView>;

/** Refused plugins with every located issue; folders relative to the registry file. */
export function refusedView(plugins: HostPlugins) {
  const base = dirname(plugins.registryPath);
  return plugins.refused.map((r) => ({
    dir: relative(base, r.dir) || '.',
    ...(r.id === undefined ? {} : { id: r.id }),
    issues: r.issues.map((i) => ({ code: i.code, pointer: i.pointer, message: i.message })),
  }));
}
