import type { ManifestSections } from './checks/context.ts';
import { escapePointerSegment } from './pointer.ts';

/** One JSONata expression of a manifest and where it is written. */
export interface ManifestExpression {
  pointer: string;
  source: string;
  /** What its result becomes, for messages: "mapping 'invoice'". */
  owner: string;
}

/**
 * Every JSONata expression a manifest holds: mapping fields, and the `each`/`from` of nested
 * mappings. The host compiles them when it loads the plugin (host/src/plugins/expression-checks.ts);
 * a new manifest section with expressions adds them here so `plugin validate` compiles them too.
 */
export function manifestExpressions(sections: ManifestSections): ManifestExpression[] {
  const out: ManifestExpression[] = [];
  for (const [name, mapping] of Object.entries(sections.mappings ?? {})) {
    const owner = `mapping '${name}'`;
    for (const [field, value] of Object.entries(mapping.fields)) {
      const pointer = `/mappings/${escapePointerSegment(name)}/fields/${escapePointerSegment(field)}`;
      if (typeof value === 'string') {
        out.push({ pointer, source: value, owner });
        continue;
      }
      if (value.each !== undefined) out.push({ pointer: `${pointer}/each`, source: value.each, owner });
      if (value.from !== undefined) out.push({ pointer: `${pointer}/from`, source: value.from, owner });
    }
  }
  return out;
}
