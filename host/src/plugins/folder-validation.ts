import { formatIssues } from './issue-table.ts';
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
    return { ok: true, lines: [`valid: ${result.plugin.id}@${result.plugin.manifest.version}`] };
  }
  const { issues, id } = result.refused;
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  return {
    ok: false,
    lines: [`invalid: ${id ?? options.dir} (${count})`, ...formatIssues(issues)],
  };
}
