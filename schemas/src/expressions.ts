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
 * Every JSONata expression a manifest holds: mapping fields, the `each`/`from` of nested
 * mappings, and the selectors of pull jobs (records, id, revision, cursor, pagination fields). The host compiles them when it loads the plugin (host/src/plugins/expression-checks.ts);
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
  sections.jobs?.forEach((job, index) => {
    if (!job.pull) return;
    const owner = `job '${job.id}'`;
    const base = `/jobs/${index}/pull`;
    const { pull } = job;
    if (typeof pull.records === 'string')
      out.push({ pointer: `${base}/records`, source: pull.records, owner });
    out.push({ pointer: `${base}/id`, source: pull.id, owner });
    out.push({ pointer: `${base}/revision`, source: pull.revision, owner });
    if (pull.cursor) out.push({ pointer: `${base}/cursor/field`, source: pull.cursor.field, owner });
    const pagination = pull.pagination;
    if (!pagination) return;
    const fields: Record<string, string | undefined> = {
      field: 'field' in pagination ? pagination.field : undefined,
      totalPagesField: pagination.type === 'pageNumber' ? pagination.totalPagesField : undefined,
      totalCountField: pagination.type === 'offset' ? pagination.totalCountField : undefined,
    };
    for (const [name, source] of Object.entries(fields))
      if (source !== undefined) out.push({ pointer: `${base}/pagination/${name}`, source, owner });
  });
  return out;
}
