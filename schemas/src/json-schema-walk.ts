import { escapePointerSegment } from './pointer.ts';

/** A JSON Schema node as found in a manifest: a plain object (boolean schemas are skipped). */
export type SchemaNode = Record<string, unknown>;

/** Keywords whose value is one subschema. */
const SINGLE = [
  'items',
  'contains',
  'additionalProperties',
  'propertyNames',
  'if',
  'then',
  'else',
  'not',
  'unevaluatedItems',
  'unevaluatedProperties',
  'contentSchema',
] as const;
/** Keywords whose value maps names to subschemas. */
const MAPS = ['properties', 'patternProperties', '$defs', 'dependentSchemas'] as const;
/** Keywords whose value is a list of subschemas. */
const LISTS = ['prefixItems', 'allOf', 'anyOf', 'oneOf'] as const;

/** Combinators and conditionals: a subschema there describes the same value, not a child value. */
export const IN_PLACE_KEYWORDS = new Set([
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
  'dependentSchemas',
]);

export interface SchemaVisit {
  node: SchemaNode;
  /** JSON pointer of the node inside the root schema. */
  pointer: string;
  /** Keyword that led here ('' for the root). */
  via: string;
}

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Visits every subschema (depth first, parents before children). */
export function walkSchema(root: unknown, visit: (visit: SchemaVisit) => void): void {
  const go = (node: unknown, pointer: string, via: string): void => {
    if (!isNode(node)) return;
    visit({ node, pointer, via });
    for (const key of SINGLE) go(node[key], `${pointer}/${key}`, key);
    for (const key of MAPS) {
      const map = node[key];
      if (!isNode(map)) continue;
      for (const [name, child] of Object.entries(map)) {
        go(child, `${pointer}/${key}/${escapePointerSegment(name)}`, key);
      }
    }
    for (const key of LISTS) {
      const list = node[key];
      if (!Array.isArray(list)) continue;
      list.forEach((child, index) => go(child, `${pointer}/${key}/${index}`, key));
    }
  };
  go(root, '', '');
}

/** Every keyword of JSON Schema 2020-12 plus our UI/secret annotations. */
export const KNOWN_KEYWORDS = new Set([
  '$schema',
  '$id',
  '$ref',
  '$anchor',
  '$dynamicRef',
  '$dynamicAnchor',
  '$vocabulary',
  '$comment',
  '$defs',
  'prefixItems',
  'items',
  'contains',
  'additionalProperties',
  'properties',
  'patternProperties',
  'dependentSchemas',
  'propertyNames',
  'if',
  'then',
  'else',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'unevaluatedItems',
  'unevaluatedProperties',
  'type',
  'const',
  'enum',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxContains',
  'minContains',
  'maxProperties',
  'minProperties',
  'required',
  'dependentRequired',
  'title',
  'description',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
  'examples',
  'format',
  'contentEncoding',
  'contentMediaType',
  'x-ui',
  'x-secret',
  'x-host-choices',
]);
