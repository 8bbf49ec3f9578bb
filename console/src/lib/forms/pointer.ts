import { pathFromLocation } from '@sjsf/form/core';
import type { RPath } from '@sjsf/form';

/** A server issue's JSON pointer (`/a/0/b`) → the form's path (`['a', 0, 'b']`), guided by the value. */
export function pointerToPath(pointer: string, value: unknown): RPath {
  if (pointer === '' || pointer === '/') return [];
  return pathFromLocation(pointer, value);
}

/** The form's path → a readable label path for the error summary: `a › 1 › b`. */
export function pathLabel(path: RPath): string {
  return path.map((part) => (typeof part === 'number' ? String(part + 1) : part)).join(' › ');
}
