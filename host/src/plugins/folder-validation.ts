import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ManifestErrorCode } from '@mch/schemas';
import { formatIssues } from './issue-table.ts';
import { SETTINGS_TYPES_FILE, settingsTypes } from './settings-types.ts';
import { loadPluginDir } from './load-plugin.ts';

export interface FolderValidation {
  ok: boolean;
  /** What `plugin validate` prints: "valid: id@version" or the issue table. */
  lines: string[];
}

/** Everything the host would check when loading the folder, as printable lines. */
export async function validatePluginFolder(options: {
  dir: string;
  hostVersion: string;
}): Promise<FolderValidation> {
  const result = await loadPluginDir(options);
  if (result.ok) {
    // Types written by `plugin types` must follow the settings, or hooks compile against old ones.
    const file = join(options.dir, SETTINGS_TYPES_FILE);
    const written = await readFile(file, 'utf8').catch(() => undefined);
    if (written !== undefined && written !== settingsTypes(result.plugin.manifest.settings)) {
      return {
        ok: false,
        lines: [
          `invalid: ${result.plugin.id} (1 problem)`,
          ...formatIssues([
            {
              code: ManifestErrorCode.TYPES_STALE,
              pointer: '/settings',
              message: `${SETTINGS_TYPES_FILE} no longer matches the settings; run: npm run host -- plugin types ${options.dir}`,
            },
          ]),
        ],
      };
    }
    return { ok: true, lines: [`valid: ${result.plugin.id}@${result.plugin.manifest.version}`] };
  }
  const { issues, id } = result.refused;
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  return {
    ok: false,
    lines: [`invalid: ${id ?? options.dir} (${count})`, ...formatIssues(issues)],
  };
}

/** `plugin types DIR`: writes the settings' types of a plugin that loads (else its problems). */
export async function writeSettingsTypes(options: {
  dir: string;
  hostVersion: string;
}): Promise<{ ok: true; file: string } | { ok: false; lines: string[] }> {
  const result = await loadPluginDir(options);
  if (!result.ok) return { ok: false, lines: (await validatePluginFolder(options)).lines };
  const file = join(options.dir, SETTINGS_TYPES_FILE);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, settingsTypes(result.plugin.manifest.settings));
  return { ok: true, file };
}
