/** RFC 6901 JSON pointers: '~' and '/' inside a segment are escaped as '~0' and '~1'. */
export function escapePointerSegment(segment: string | number): string {
  return String(segment).replaceAll('~', '~0').replaceAll('/', '~1');
}

export function toPointer(path: readonly PropertyKey[]): string {
  return path.map((segment) => '/' + escapePointerSegment(String(segment))).join('');
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}
