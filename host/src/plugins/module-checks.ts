import { access, realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isPluginDefinition, type PluginDefinition } from '@mch/plugin-sdk';
import { ManifestErrorCode, type ManifestIssue, type ManifestSections } from '@mch/schemas';

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A module a manifest names must live inside the plugin's folder, symlinks resolved: `./../x.ts`
 * or a link to elsewhere would let a plugin folder run code it does not contain (issue 11).
 */
async function escapesFolder(dir: string, path: string): Promise<boolean> {
  const [realDir, realPath] = await Promise.all([realpath(dir), realpath(path)]);
  return !realPath.startsWith(realDir + sep);
}

const outsideIssue = (pointer: string, entry: string, dir: string): ManifestIssue => ({
  code: ManifestErrorCode.ENTRY_INVALID,
  pointer,
  message: `'${entry}' is outside the plugin folder ${dir} (after following links); a plugin may only name files inside its own folder`,
});

/** Every place a manifest names a hook, with its pointer. */
export function hookReferences(sections: ManifestSections): { pointer: string; name: string }[] {
  const refs: { pointer: string; name: string }[] = [];
  // A pull job (manifest `pull`) has no hook: the host runs it (sync/pull.ts).
  sections.jobs?.forEach((job, index) => {
    if (job.hook !== undefined) refs.push({ pointer: `/jobs/${index}/hook`, name: job.hook });
    // A pull may hand one part to a hook (its records, its next page).
    if (job.pull && typeof job.pull.records === 'object')
      refs.push({ pointer: `/jobs/${index}/pull/records/hook`, name: job.pull.records.hook });
    if (job.pull?.pagination?.type === 'hook')
      refs.push({ pointer: `/jobs/${index}/pull/pagination/hook`, name: job.pull.pagination.hook });
  });
  sections.webhooks?.forEach((hook, index) =>
    refs.push({ pointer: `/webhooks/${index}/hook`, name: hook.hook }),
  );
  sections.actions?.forEach((action, index) =>
    refs.push({ pointer: `/actions/${index}/hook`, name: action.hook }),
  );
  if (sections.auth?.accountHook)
    refs.push({ pointer: '/auth/accountHook', name: sections.auth.accountHook });
  if (sections.auth?.testHook) refs.push({ pointer: '/auth/testHook', name: sections.auth.testHook });
  return refs;
}

/**
 * Hook names written anywhere in the manifest as it stands: any `hook` or `…Hook` field, so a
 * section that is broken (or newer than this list) does not make its hooks look unused.
 */
function namedHooks(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const child of node) namedHooks(child, out);
  else if (typeof node === 'object' && node !== null)
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'hook' || key.endsWith('Hook')) && typeof value === 'string') out.add(value);
      else namedHooks(value, out);
    }
  return out;
}

/** Hooks the module defines that the manifest never names: the host would never call them. */
function unusedHooks(options: { hooks: object; raw: unknown; entry: string }): ManifestIssue[] {
  const named = namedHooks(options.raw);
  return Object.keys(options.hooks)
    .filter((name) => !named.has(name))
    .map((name) => ({
      code: ManifestErrorCode.HOOK_UNUSED,
      pointer: '/entry',
      message: `'${options.entry}' defines hook '${name}', which the manifest never names, so the host never calls it; name it from a job, webhook, action or auth, or remove it from definePlugin({ hooks })`,
    }));
}

/**
 * Imports the plugin's entry and checks it default-exports a definePlugin value with every hook
 * the manifest names. Runs on whatever sections are valid, so a manifest with other mistakes
 * still gets its hook mistakes reported in the same pass.
 */
export async function checkEntryModule(options: {
  dir: string;
  sections: ManifestSections;
  /** The manifest as written, to find every hook it names (see `namedHooks`). */
  raw?: unknown;
}): Promise<{ definition?: PluginDefinition; issues: ManifestIssue[] }> {
  const { dir, sections } = options;
  if (!sections.entry) return { issues: [] };
  const path = resolve(dir, sections.entry);
  if (!(await exists(path))) {
    return {
      issues: [
        {
          code: ManifestErrorCode.ENTRY_MISSING,
          pointer: '/entry',
          message: `'${sections.entry}' does not exist in ${dir}; create it or fix the path`,
        },
      ],
    };
  }
  if (await escapesFolder(dir, path)) return { issues: [outsideIssue('/entry', sections.entry, dir)] };
  let exported: unknown;
  try {
    const module = (await import(pathToFileURL(path).href)) as { default?: unknown };
    exported = module.default;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      issues: [
        {
          code: ManifestErrorCode.ENTRY_INVALID,
          pointer: '/entry',
          message: `'${sections.entry}' fails to load: ${detail}`,
        },
      ],
    };
  }
  if (!isPluginDefinition(exported)) {
    return {
      issues: [
        {
          code: ManifestErrorCode.ENTRY_INVALID,
          pointer: '/entry',
          message: `'${sections.entry}' must default-export definePlugin({ hooks: { … } }) from @mch/plugin-sdk`,
        },
      ],
    };
  }
  const defined = Object.keys(exported.hooks);
  const issues: ManifestIssue[] = hookReferences(sections)
    .filter((ref) => !Object.hasOwn(exported.hooks, ref.name))
    .map((ref) => ({
      code: ManifestErrorCode.HOOK_MISSING,
      pointer: ref.pointer,
      message: `names hook '${ref.name}', but ${sections.entry} defines no such hook; define it in definePlugin({ hooks }) or use one of: ${
        defined.length > 0 ? defined.map((name) => `'${name}'`).join(', ') : '(no hooks defined)'
      }`,
    }));
  if (options.raw !== undefined)
    issues.push(...unusedHooks({ hooks: exported.hooks, raw: options.raw, entry: sections.entry }));
  return { definition: exported, issues };
}

/** The sandbox module must exist; it is imported only when a sandbox is started. */
export async function checkSandboxEntry(options: {
  dir: string;
  sections: ManifestSections;
}): Promise<ManifestIssue[]> {
  const entry = options.sections.sandbox?.entry;
  if (!entry) return [];
  const path = resolve(options.dir, entry);
  if (await exists(path)) {
    return (await escapesFolder(options.dir, path))
      ? [outsideIssue('/sandbox/entry', entry, options.dir)]
      : [];
  }
  return [
    {
      code: ManifestErrorCode.SANDBOX_MISSING,
      pointer: '/sandbox/entry',
      message: `'${entry}' does not exist in ${options.dir}; create a module exporting startSandbox or fix the path`,
    },
  ];
}
