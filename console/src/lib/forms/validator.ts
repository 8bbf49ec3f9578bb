/**
 * The settings forms' JSON Schema validator, without `eval`: @cfworker/json-schema interprets a
 * schema instead of compiling it to a function as Ajv does (`new Function`), so the host's CSP
 * needs no `'unsafe-eval'` (issue 11). It implements @sjsf/form's validator interfaces (the shape
 * of @sjsf/cfworker-validator, which maps `required` onto the object rather than the missing
 * field and shows the engine's technical sentences) and words each failure for a person.
 */
import { Validator as CfValidator, type OutputUnit, type Schema as CfSchema } from '@cfworker/json-schema';
import type {
  Config,
  FieldValueValidator,
  FormValue,
  FormValueValidator,
  Schema,
  ValidationError,
  Validator,
} from '@sjsf/form';
import {
  ID_KEY,
  pathFromLocation,
  prefixSchemaRefs,
  ROOT_SCHEMA_PREFIX,
  type SchemaDefinition,
} from '@sjsf/form/core';
import { FORMAT_WORDS, plural, TYPE_WORDS } from '@mch/schemas/value-words';

/** Manifests declare draft 2020-12 (the host validates settings with Ajv 2020 on its side). */
const DRAFT = '2020-12';

/** Keywords whose failure only says that something inside failed: their inner units say what. */
const AGGREGATES = new Set([
  '$ref',
  '$recursiveRef',
  'properties',
  'patternProperties',
  'additionalProperties',
  'unevaluatedProperties',
  'propertyNames',
  'items',
  'prefixItems',
  'additionalItems',
  'unevaluatedItems',
  'allOf',
  'if',
  'dependentSchemas',
  'dependencies',
]);

/** Failures inside an alternative: the `anyOf`/`oneOf`/`not` unit itself says it once. */
const INSIDE_ALTERNATIVE = /\/(anyOf|oneOf)\/\d+(\/|$)|\/not\//;

const json = (value: unknown): unknown =>
  value === undefined || value === null
    ? null
    : typeof value === 'object'
      ? (JSON.parse(JSON.stringify(value)) as unknown)
      : value;

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const decode = (segment: string) => decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~');

/** The schema object a unit's keyword belongs to, following local `$ref`s; undefined if unknown. */
function schemaAt(root: Node, keywordLocation: string): Node | undefined {
  const segments = keywordLocation.replace(/^#\/?/, '').split('/').filter(Boolean).map(decode);
  segments.pop();
  let node: unknown = root;
  for (const segment of segments) {
    if (!isNode(node) && !Array.isArray(node)) return undefined;
    if (segment === '$ref' && isNode(node)) {
      const ref = node.$ref;
      if (typeof ref !== 'string' || !ref.startsWith('#')) return undefined;
      node = schemaAt(root, `${ref}/x`);
      continue;
    }
    node = (node as Record<string, unknown>)[segment];
  }
  return isNode(node) ? node : undefined;
}

/** A sentence a seller can act on for one failed keyword (the field's title is shown beside it). */
export function messageFor(keyword: string, schema: Node | undefined, fallback: string): string {
  const value = schema?.[keyword];
  switch (keyword) {
    case 'type': {
      const types = (Array.isArray(value) ? value : [value]).map((t) => TYPE_WORDS[String(t)] ?? String(t));
      return `must be ${types.join(' or ')}`;
    }
    case 'minimum':
      return `must be at least ${String(value)}`;
    case 'maximum':
      return `must be at most ${String(value)}`;
    case 'exclusiveMinimum':
      return `must be more than ${String(value)}`;
    case 'exclusiveMaximum':
      return `must be less than ${String(value)}`;
    case 'multipleOf':
      return `must be a multiple of ${String(value)}`;
    case 'minLength':
      return value === 1 ? 'must not be empty' : `must be at least ${plural(value, 'character')} long`;
    case 'maxLength':
      return `must be at most ${plural(value, 'character')} long`;
    case 'pattern':
      return 'is not in the expected form';
    case 'format':
      return `must be ${FORMAT_WORDS[String(value)] ?? `in the ${String(value)} format`}`;
    case 'enum':
      return 'must be one of the offered choices';
    case 'const':
      return `must be ${JSON.stringify(value)}`;
    case 'required':
    case 'dependentRequired':
      return 'is required';
    case 'minItems':
      return `must have at least ${plural(value, 'item')}`;
    case 'maxItems':
      return `must have at most ${plural(value, 'item')}`;
    case 'uniqueItems':
      return 'must not list the same item twice';
    case 'minProperties':
      return `must have at least ${plural(value, 'entry')}`;
    case 'maxProperties':
      return `must have at most ${plural(value, 'entry')}`;
    case 'contains':
    case 'minContains':
    case 'maxContains':
      return 'does not have the items it needs';
    case 'anyOf':
    case 'oneOf':
      return 'must match one of the allowed forms';
    case 'not':
      return 'is not allowed';
    case 'false':
      return 'is not allowed here';
    default:
      return fallback;
  }
}

const MISSING = /"((?:[^"\\]|\\.)*)"\.$/;

/** The failures worth showing, each at its field: a missing property on the property itself. */
export function describeErrors(
  root: Node,
  units: readonly OutputUnit[],
): { location: string; message: string; keyword: string }[] {
  const shown: { location: string; message: string; keyword: string }[] = [];
  for (const unit of units) {
    if (AGGREGATES.has(unit.keyword) || INSIDE_ALTERNATIVE.test(unit.keywordLocation)) continue;
    let location = unit.instanceLocation;
    if (unit.keyword === 'required' || unit.keyword === 'dependentRequired') {
      // "Instance does not have required property "x"." / "…has "a" but does not have "x"."
      const missing = MISSING.exec(unit.error)?.[1];
      if (missing !== undefined) location = `${location}/${missing.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    }
    const message = messageFor(unit.keyword, schemaAt(root, unit.keywordLocation), unit.error);
    if (!shown.some((s) => s.location === location && s.message === message))
      shown.push({ location, message, keyword: unit.keyword });
  }
  return shown;
}

function pathOf(location: string, value: unknown): ValidationError['path'] {
  return pathFromLocation(location, value);
}

/** @sjsf/form's validator over @cfworker/json-schema (draft 2020-12, every error reported). */
export function createFormValidator<Output>(): Validator & FormValueValidator<Output> & FieldValueValidator {
  const byRoot = new WeakMap<object, CfValidator>();
  const bySubschema = new WeakMap<object, CfValidator>();
  const byField = new WeakMap<object, CfValidator>();

  const rootValidator = (root: Schema) => {
    let validator = byRoot.get(root);
    if (!validator) {
      validator = new CfValidator(json(root) as CfSchema, DRAFT, false);
      byRoot.set(root, validator);
    }
    return validator;
  };

  // A subschema (an `anyOf` option the form weighs) may `$ref` into the root: prefix its refs
  // with the root's id and register the root beside it, as @sjsf/cfworker-validator does.
  const subschemaValidator = (schema: Schema, root: Schema) => {
    if (schema === root) return rootValidator(root);
    let validator = bySubschema.get(schema);
    if (!validator) {
      const rootId = (root as Record<string, unknown>)[ID_KEY];
      const id = typeof rootId === 'string' ? rootId : ROOT_SCHEMA_PREFIX;
      validator = new CfValidator(prefixSchemaRefs(json(schema) as Schema, id) as CfSchema, DRAFT, false);
      validator.addSchema(json(root) as CfSchema, id);
      bySubschema.set(schema, validator);
    }
    return validator;
  };

  return {
    isValid(schemaDef: SchemaDefinition, rootSchema: Schema, formValue: unknown): boolean {
      if (typeof schemaDef === 'boolean') return schemaDef;
      return subschemaValidator(schemaDef, rootSchema).validate(json(formValue)).valid;
    },

    validateFormValue(rootSchema: Schema, formValue: FormValue) {
      const { valid, errors } = rootValidator(rootSchema).validate(json(formValue));
      if (valid) return { value: formValue as Output };
      return {
        value: formValue,
        errors: describeErrors(rootSchema as Node, errors).map((e) => ({
          path: pathOf(e.location, formValue),
          message: e.message,
        })),
      };
    },

    validateFieldValue(field: Config, fieldValue: unknown): string[] {
      let validator = byField.get(field.schema);
      if (!validator) {
        validator = new CfValidator(json(field.schema) as CfSchema, DRAFT, false);
        byField.set(field.schema, validator);
      }
      const { errors } = validator.validate(json(fieldValue));
      const empty = fieldValue === undefined || fieldValue === null;
      // This field's own failures; an empty optional field is not a type error, an empty
      // required one is simply missing.
      return describeErrors(field.schema as Node, errors)
        .filter((e) => e.location === '#' && (field.required || e.keyword !== 'type'))
        .map((e) => (empty && e.keyword === 'type' ? 'is required' : e.message));
    },
  };
}
