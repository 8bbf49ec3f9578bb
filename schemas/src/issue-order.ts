import type { ManifestIssue } from './errors.ts';
import { parsePointer } from './pointer.ts';

/**
 * Where a pointer lands in the document, as a list of positions (key order as written, array
 * index). A segment that does not exist (a missing required field) sorts after its siblings.
 */
function position(document: unknown, pointer: string): number[] {
  const out: number[] = [];
  let node = document;
  for (const segment of parsePointer(pointer)) {
    if (Array.isArray(node)) {
      const index = Number(segment);
      out.push(Number.isInteger(index) ? index : Number.MAX_SAFE_INTEGER);
      node = node[index] as unknown;
    } else if (typeof node === 'object' && node !== null) {
      const keys = Object.keys(node);
      const index = keys.indexOf(segment);
      out.push(index === -1 ? Number.MAX_SAFE_INTEGER : index);
      node = (node as Record<string, unknown>)[segment];
    } else {
      out.push(Number.MAX_SAFE_INTEGER);
      node = undefined;
    }
  }
  return out;
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

/**
 * Orders issues as they appear in the file, so a list reads top to bottom like the manifest. The
 * sort is stable: issues at the same place keep their order.
 */
export function sortIssuesByDocument(issues: readonly ManifestIssue[], document: unknown): ManifestIssue[] {
  return issues
    .map((issue) => ({ issue, at: position(document, issue.pointer) }))
    .sort((a, b) => compare(a.at, b.at))
    .map(({ issue }) => issue);
}
