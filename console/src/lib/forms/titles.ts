import type { RPath, Schema } from '@sjsf/form';

/** The title the schema gives the field at `path` (falls back to the property name). */
export function titleAt(schema: Schema, path: RPath): string {
  let node: unknown = schema;
  let label = '';
  for (const part of path) {
    if (typeof node !== 'object' || node === null) break;
    const current = node as Schema;
    if (typeof part === 'number') {
      node = current.items;
      label = `${label} item ${part + 1}`.trim();
      continue;
    }
    const properties = (current.properties ?? {}) as Record<string, unknown>;
    node = properties[part] ?? findInVariants(current, part);
    const title = typeof node === 'object' && node !== null ? (node as Schema).title : undefined;
    const own = typeof title === 'string' ? title : part;
    label = label ? `${label} › ${own}` : own;
  }
  return label || 'Settings';
}

function findInVariants(schema: Schema, name: string): unknown {
  for (const variants of [schema.oneOf, schema.anyOf, schema.allOf, [schema.then, schema.else]]) {
    for (const variant of variants ?? []) {
      if (typeof variant !== 'object' || variant === null) continue;
      const found = (variant.properties as Record<string, unknown> | undefined)?.[name];
      if (found) return found;
    }
  }
  return undefined;
}
