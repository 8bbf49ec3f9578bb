import type { ManifestIssue } from '@mch/schemas';

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
