import { HOST_RECORD_FIELDS, type FieldExpression, type HostRecordKind, type Mapping } from '@mch/schemas';
import { compileExpression, type Evaluator } from './expression.ts';

/**
 * The manifest's `mappings` turned into functions: marketplace record → host record draft
 * (SPEC "Sync engine": the host, not the plugin, builds invoices). Expressions are JSONata,
 * compiled once per plugin version; `$settings`, `$integration` and `$record` (the top-level
 * marketplace record, for nested mappings) are bound in every expression.
 */

export interface MappingVariables {
  /** The integration's settings, e.g. `$settings.defaultVatRate`. */
  settings: Readonly<Record<string, unknown>>;
  integration: Readonly<Record<string, unknown>>;
}

/** `$settings` and `$integration` of an import: the given integration view, else its ids. */
export function mappingVariables(options: {
  settings: Readonly<Record<string, unknown>>;
  integration?: Readonly<Record<string, unknown>> | undefined;
  integrationId: string;
  tenantId: string;
  pluginId: string;
}): MappingVariables {
  return {
    settings: options.settings,
    integration: options.integration ?? {
      id: options.integrationId,
      tenantId: options.tenantId,
      pluginId: options.pluginId,
    },
  };
}

/** A mapped host record: field name → value; nested records are mapped objects or lists of them. */
export type MappedRecord = { [field: string]: unknown };

export class MappingError extends Error {
  override name = 'MappingError';
  readonly mapping: string;
  readonly field: string | undefined;
  readonly expression: string | undefined;
  constructor(options: { mapping: string; field?: string; expression?: string; problem: string }) {
    const where = options.field
      ? `mapping '${options.mapping}', field '${options.field}'`
      : `mapping '${options.mapping}'`;
    const expr =
      options.expression === undefined ? '' : ` (expression ${JSON.stringify(options.expression)})`;
    super(`${where}${expr}: ${options.problem}`);
    this.mapping = options.mapping;
    this.field = options.field;
    this.expression = options.expression;
  }
}

type Bindings = Record<string, unknown>;

interface CompiledField {
  field: string;
  required: boolean;
  source: string;
  value?: Evaluator;
  nested?: { mapping: string; many: boolean; each?: Evaluator; from?: Evaluator };
}

interface CompiledMapping {
  name: string;
  target: HostRecordKind;
  fields: CompiledField[];
}

export interface CompiledMappings {
  readonly names: readonly string[];
  target(name: string): HostRecordKind;
  /** Maps one marketplace record through the mapping `name`. Throws {@link MappingError}. */
  map(name: string, record: unknown, variables: MappingVariables): Promise<MappedRecord>;
}

function describe(value: FieldExpression): string {
  if (typeof value === 'string') return value;
  return value.each ?? value.from ?? `{ mapping: ${value.mapping} }`;
}

function compileField(
  mappingName: string,
  target: HostRecordKind,
  field: string,
  value: FieldExpression,
): CompiledField {
  const spec = HOST_RECORD_FIELDS[target][field];
  if (!spec) throw new MappingError({ mapping: mappingName, field, problem: `is not a field of ${target}` });
  const compile = (expression: string): Evaluator => {
    try {
      return compileExpression(expression);
    } catch (error) {
      throw new MappingError({
        mapping: mappingName,
        field,
        expression,
        problem: `does not compile: ${messageOf(error)}`,
      });
    }
  };
  if (typeof value === 'string') {
    if (spec.nested)
      throw new MappingError({
        mapping: mappingName,
        field,
        problem: `needs a nested ${spec.nested.kind} mapping`,
      });
    return { field, required: spec.required, source: value, value: compile(value) };
  }
  if (!spec.nested)
    throw new MappingError({
      mapping: mappingName,
      field,
      problem: 'must be an expression, not a nested mapping',
    });
  return {
    field,
    required: spec.required,
    source: describe(value),
    nested: {
      mapping: value.mapping,
      many: spec.nested.many,
      ...(value.each === undefined ? {} : { each: compile(value.each) }),
      ...(value.from === undefined ? {} : { from: compile(value.from) }),
    },
  };
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  // JSONata throws plain objects: { code, message, position, token }.
  if (error && typeof error === 'object' && 'message' in error) {
    const { message, position } = error as { message: unknown; position?: number };
    return position === undefined ? String(message) : `${String(message)} at position ${position}`;
  }
  return String(error);
}

function isMissing(value: unknown): boolean {
  return (
    value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)
  );
}

/** Compiles every mapping of a manifest; a reference to an unknown mapping fails here, not per record. */
export function compileMappings(mappings: Readonly<Record<string, Mapping>>): CompiledMappings {
  const compiled = new Map<string, CompiledMapping>();
  for (const [name, mapping] of Object.entries(mappings)) {
    const fields = Object.entries(mapping.fields).map(([field, value]) =>
      compileField(name, mapping.target, field, value),
    );
    compiled.set(name, { name, target: mapping.target, fields });
  }
  for (const mapping of compiled.values()) {
    for (const field of mapping.fields) {
      if (field.nested && !compiled.has(field.nested.mapping)) {
        throw new MappingError({
          mapping: mapping.name,
          field: field.field,
          problem: `names unknown mapping '${field.nested.mapping}'`,
        });
      }
    }
  }

  const lookup = (name: string): CompiledMapping => {
    const mapping = compiled.get(name);
    if (!mapping)
      throw new MappingError({
        mapping: name,
        problem: `is not in the manifest; known: ${[...compiled.keys()].join(', ')}`,
      });
    return mapping;
  };

  async function evaluate(
    mapping: CompiledMapping,
    field: CompiledField,
    evaluator: Evaluator,
    input: unknown,
    bindings: Bindings,
  ): Promise<unknown> {
    try {
      const result = evaluator(input, bindings);
      return result instanceof Promise ? ((await result) as unknown) : result;
    } catch (error) {
      if (error instanceof MappingError) throw error;
      throw new MappingError({
        mapping: mapping.name,
        field: field.field,
        expression: field.source,
        problem: `failed: ${messageOf(error)}`,
      });
    }
  }

  async function run(
    mapping: CompiledMapping,
    input: unknown,
    bindings: Bindings,
    depth: number,
  ): Promise<MappedRecord> {
    // Mappings may only nest a few levels (invoice → line → product); a cycle would never end.
    if (depth > 8)
      throw new MappingError({ mapping: mapping.name, problem: 'nests more than 8 levels deep (a cycle?)' });
    const out: MappedRecord = {};
    for (const field of mapping.fields) {
      let value: unknown;
      if (field.value) {
        value = await evaluate(mapping, field, field.value, input, bindings);
      } else if (field.nested) {
        const nested = lookup(field.nested.mapping);
        const from = field.nested.from
          ? await evaluate(mapping, field, field.nested.from, input, bindings)
          : input;
        if (field.nested.many) {
          const list = field.nested.each
            ? await evaluate(mapping, field, field.nested.each, from, bindings)
            : from;
          const items =
            list === undefined || list === null ? [] : Array.isArray(list) ? (list as unknown[]) : [list];
          const mapped: MappedRecord[] = [];
          for (const item of items) mapped.push(await run(nested, item, bindings, depth + 1));
          value = mapped;
        } else if (from !== undefined && from !== null) {
          value = await run(nested, from, bindings, depth + 1);
        }
      }
      if (isMissing(value)) {
        if (field.required) {
          throw new MappingError({
            mapping: mapping.name,
            field: field.field,
            expression: field.source,
            problem: 'is required but produced no value',
          });
        }
        continue;
      }
      out[field.field] = value;
    }
    return out;
  }

  return {
    names: [...compiled.keys()],
    target: (name) => lookup(name).target,
    map(name, record, variables) {
      const bindings: Bindings = { settings: variables.settings, integration: variables.integration, record };
      return run(lookup(name), record, bindings, 0);
    },
  };
}

const cache = new Map<string, { mappings: Readonly<Record<string, Mapping>>; compiled: CompiledMappings }>();

/**
 * The compiled mappings of one plugin version, compiled on first use. A plugin upgrade brings a
 * new version, hence a new entry; the same version with different mappings (development) recompiles.
 */
export function compiledMappingsFor(options: {
  pluginId: string;
  version: string;
  mappings: Readonly<Record<string, Mapping>>;
}): CompiledMappings {
  const key = `${options.pluginId}@${options.version}`;
  const hit = cache.get(key);
  if (hit && hit.mappings === options.mappings) return hit.compiled;
  const compiled = compileMappings(options.mappings);
  cache.set(key, { mappings: options.mappings, compiled });
  return compiled;
}
