import { join } from 'node:path';
import {
  compileSettingsValidator,
  ManifestErrorCode,
  sortIssuesByDocument,
  validateManifest,
} from '@mch/schemas';
import { checkHostRange } from './host-range.ts';
import { readJsonFile } from './json-file.ts';
import { checkExpressions } from './expression-checks.ts';
import { checkEntryModule, checkSandboxEntry } from './module-checks.ts';
import { MANIFEST_FILE } from './paths.ts';
import type { LoadedPlugin, RefusedPlugin } from './types.ts';

export type PluginDirResult = { ok: true; plugin: LoadedPlugin } | { ok: false; refused: RefusedPlugin };

/**
 * Loads one plugin folder: reads plugin.manifest.json, validates it (shape and cross-field rules
 * in @mch/schemas; JSONata expressions, host range, entry module, hooks and sandbox file here) and reports every
 * problem at once. Never throws for a bad plugin: the caller goes on with the others.
 */
export async function loadPluginDir(options: { dir: string; hostVersion: string }): Promise<PluginDirResult> {
  const { dir, hostVersion } = options;
  const file = await readJsonFile({
    path: join(dir, MANIFEST_FILE),
    notFound: {
      code: ManifestErrorCode.NOT_FOUND,
      message: `${dir} has no ${MANIFEST_FILE}; add one (npm run host -- plugin new <id> scaffolds it) or remove the folder from the registry`,
    },
    invalidJson: ManifestErrorCode.INVALID_JSON,
  });
  if (!file.ok) return { ok: false, refused: { dir, issues: file.issues } };

  const validation = validateManifest(file.value);
  const { sections } = validation;
  const entry = await checkEntryModule({ dir, sections, raw: file.value });
  // Reported in file order, so the list reads top to bottom like the manifest.
  const issues = sortIssuesByDocument(
    [
      ...validation.issues,
      ...checkExpressions(sections),
      ...checkHostRange({ sections, hostVersion }),
      ...entry.issues,
      ...(await checkSandboxEntry({ dir, sections })),
    ],
    file.value,
  );
  const id = sections.id;
  if (!validation.ok || issues.length > 0 || !entry.definition) {
    return { ok: false, refused: { dir, ...(id === undefined ? {} : { id }), issues } };
  }
  const manifest = validation.manifest;
  return {
    ok: true,
    plugin: {
      id: manifest.id,
      dir,
      manifest,
      definition: entry.definition,
      validateSettings: compileSettingsValidator(manifest.settings),
    },
  };
}
