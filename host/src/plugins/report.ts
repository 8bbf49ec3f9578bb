import type { ManifestIssue } from '@mch/schemas';
import { loadPluginDir } from './load-plugin.ts';

/** One line per issue, `pointer  code  sentence`, aligned so a list reads as a table. */
export function formatIssues(issues: readonly ManifestIssue[]): string[] {
  const shown = issues.map((issue) => ({
    ...issue,
    pointer: issue.pointer === '' ? '(file)' : issue.pointer,
  }));
  const pointerWidth = Math.max(0, ...shown.map((issue) => issue.pointer.length));
  const codeWidth = Math.max(0, ...shown.map((issue) => issue.code.length));
  return shown.map(
    (issue) => `${issue.pointer.padEnd(pointerWidth)}  ${issue.code.padEnd(codeWidth)}  ${issue.message}`,
  );
}

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
